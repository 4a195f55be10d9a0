"""The run command: web, worker (with scheduler) and the demo store emulator on the embedded defaults."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import httpx
from cryptography.fernet import Fernet

from app.config import INSTANCE_DIR
from app.shopify.scopes import REQUIRED_SCOPES

DEV_ENV_FILE = INSTANCE_DIR / "development.env"


def development_environment() -> dict[str, str]:
    """Secrets for local development, made once and kept under instance/ (never committed)."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    if not DEV_ENV_FILE.exists():
        DEV_ENV_FILE.write_text(
            "\n".join(
                [
                    f"SECRET_KEY={secrets.token_urlsafe(32)}",
                    f"TOKEN_ENCRYPTION_KEYS={Fernet.generate_key().decode()}",
                    "SHOPIFY_API_KEY=stockout-concierge-dev",
                    f"SHOPIFY_API_SECRET={secrets.token_urlsafe(32)}",
                ]
            )
            + "\n"
        )
        DEV_ENV_FILE.chmod(0o600)
    values = dict(line.split("=", 1) for line in DEV_ENV_FILE.read_text().splitlines() if "=" in line)
    return {key: os.environ.get(key, value) for key, value in values.items()}


def _wait_for(url: str, process: subprocess.Popen, name: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise click.ClickException(f"{name} exited with status {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise click.ClickException(f"{name} did not answer at {url} within {seconds:.0f} s")


@click.command()
@click.option("--port", default=8000, show_default=True, help="Port of the app's web process.")
@click.option("--emulator-port", default=8765, show_default=True, help="Port of the local Shopify store emulator.")
@click.option("--check", is_flag=True, help="Start everything, check /healthz, then stop (used by the tests).")
def main(port: int, emulator_port: int, check: bool) -> None:
    """Run the app locally: web, worker and scheduler, Redis, and the emulated demo store."""
    from app import embedded_redis

    env = {**os.environ, **development_environment(), "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    env.setdefault("APP_URL", f"http://127.0.0.1:{port}")
    if not env.get("REDIS_URL"):
        env["REDIS_URL"] = embedded_redis.ensure_running(INSTANCE_DIR)
    emulator_url = f"http://127.0.0.1:{emulator_port}"
    env.setdefault("SHOPIFY_API_BASE_URL", emulator_url)
    env.setdefault("SHOPIFY_SCOPES", ",".join(REQUIRED_SCOPES))

    subprocess.run([sys.executable, "-m", "app", "migrate"], env=env, check=True)
    processes: list[tuple[str, subprocess.Popen]] = []

    def start(name: str, argv: list[str]) -> subprocess.Popen:
        # Each in a process group of its own, stopped as a group: a worker's RQ scheduler is a forked child that
        # a signal to the worker alone can leave running (when it lands before RQ installs its handlers).
        process = subprocess.Popen(argv, env=env, start_new_session=True)
        processes.append((name, process))
        return process

    try:
        if _emulator_available():
            emulator = start("emulator", [sys.executable, "-m", "emulator", "serve", "--port", str(emulator_port),
                                          "--app-url", env["APP_URL"]])
            _wait_for(f"{emulator_url}/emulator/health", emulator, "emulator")
        web = start("web", [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4",
                            "--bind", f"127.0.0.1:{port}", "app:create_app()"])
        start("worker", [sys.executable, "-m", "app", "worker"])
        _wait_for(f"{env['APP_URL']}/healthz", web, "web")
        health = httpx.get(f"{env['APP_URL']}/healthz", timeout=5).json()
        click.echo(f"healthz: {health}")
        _after_start(env, emulator_url)
        if check:
            if health.get("status") != "ok":
                raise click.ClickException("health check failed")
            return
        _run_until_stopped(processes)
    finally:
        for _name, process in reversed(processes):
            _signal_group(process, signal.SIGTERM)
        for _name, process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
            _signal_group(process, signal.SIGKILL)  # what is left of its group, e.g. a forked scheduler


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group is gone already
        os.killpg(process.pid, signum)


def _run_until_stopped(processes: list[tuple[str, subprocess.Popen]]) -> None:
    """Wait for Ctrl-C or SIGTERM; if any process dies on its own, stop the rest and say which."""

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            for name, process in processes:
                if process.poll() is not None:
                    raise click.ClickException(f"{name} exited with status {process.returncode}; stopping")
            time.sleep(0.5)
    except KeyboardInterrupt:
        click.echo("stopping")


def _emulator_available() -> bool:
    return (Path(__file__).resolve().parent.parent / "emulator" / "__main__.py").exists()


DEMO_SHOP = "demo-apparel.myshopify.com"


def _after_start(env: dict[str, str], emulator_url: str) -> None:
    """Install the demo store through the real embedded flow (session token → token exchange)."""
    app_url = env["APP_URL"]
    click.echo(f"app:       {app_url}")
    if not _emulator_available():
        return
    click.echo(f"emulator:  {emulator_url}")
    session_token = httpx.post(f"{emulator_url}/emulator/session-token", json={"shop": DEMO_SHOP}, timeout=10)
    session_token.raise_for_status()
    installed = httpx.post(f"{app_url}/auth/token-exchange", timeout=30,
                           headers={"Authorization": f"Bearer {session_token.json()['token']}"})
    if installed.status_code != 200:
        raise click.ClickException(f"installing the demo store failed: {installed.status_code} {installed.text[:200]}")
    click.echo(f"demo shop: {DEMO_SHOP} installed (scopes: {', '.join(installed.json()['scopes'])})")
    click.echo(f"admin:     {app_url}/app?shop={DEMO_SHOP}")
    click.echo("flash sale: .venv/bin/python -m emulator --url " + emulator_url + " flash-sale --orders 30")


if __name__ == "__main__":
    main()
