"""Parts every end-to-end benchmark stands on: a fresh database, processes of the app, local SMTP, Redis, /proc figures.

`bench/catalogue_stack.py` and `bench/notifications_stack.py` build their stacks from these; so does the flash sale.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from redis import Redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.config import Settings, normalized_database_url  # noqa: E402
from tests.support.env import environment_for  # noqa: E402
from tests.support.smtp_server import CaptureSmtpServer  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database(database: str, redis_url: str, admin_url: str = ADMIN_URL) -> str:
    """An empty, migrated database of its own (created if missing), and an empty Redis database; its URL."""
    from app.db import Base
    from app.migrations import upgrade

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": database}).scalar():
            connection.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    url = make_url(admin_url).set(database=database).render_as_string(hide_password=False)
    engine = create_engine(normalized_database_url(url))
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    upgrade(url)
    Redis.from_url(redis_url).flushdb()
    return url


def wait_until(condition, timeout: float, message, step: float = 0.05) -> None:
    """Wait for the condition; on timeout raise with the message (or what the callable `message` says then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(step)
    raise TimeoutError(message() if callable(message) else message)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def load_average() -> list[float]:
    return [round(load, 2) for load in os.getloadavg()]


# --- what the kernel says about a process -------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), NaN once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def children(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers under its master)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


# --- the app's processes ------------------------------------------------------------------------------------------

def app_environment(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a web or worker process: the settings, SMTP and Twilio included."""
    return environment_for(
        settings, EMAIL_BACKEND=settings.email_backend, SMTP_HOST=settings.smtp_host,
        SMTP_PORT=str(settings.smtp_port), EMAIL_FROM_ADDRESS=settings.email_from_address,
        SMS_PROVIDER=settings.sms_provider, TWILIO_ACCOUNT_SID=settings.twilio_account_sid,
        TWILIO_AUTH_TOKEN=settings.twilio_auth_token, TWILIO_FROM_NUMBER=settings.twilio_from_number,
        TWILIO_BASE_URL=settings.twilio_base_url, SMS_RATE_PER_SECOND=str(settings.sms_rate_per_second), **extra,
    )


def start_web(env: dict, port: int, workers: int = 2, threads: int = 8, log=subprocess.DEVNULL) -> subprocess.Popen:
    """The app under gunicorn with the Procfile's shape, on loopback; returns once /health answers."""
    import httpx

    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads), "--bind",
               f"127.0.0.1:{port}", "--timeout", "30", "--graceful-timeout", "20", "--log-level", "warning",
               "app:create_app()"]
    process = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=log, start_new_session=True)

    def answers() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1, trust_env=False).status_code < 500
        except httpx.HTTPError:
            return False

    wait_until(answers, 60, "the web app did not start")
    return process


def start_worker(env: dict, name: str, queues: str = "webhooks,notifications,default,low",
                 log=subprocess.DEVNULL) -> subprocess.Popen:
    """One `python -m app worker` (in-process jobs, its own scheduler), named so its RQ figures can be found."""
    command = [sys.executable, "-m", "app", "worker", "--queues", queues, "--name", name]
    return subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=log, start_new_session=True)


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    """SIGTERM the process group, SIGKILL it if it does not go."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class RedisServer:
    """A redis-server of our own on a free port, which a fault scenario may kill and start again (same data dir)."""

    def __init__(self, directory: Path):
        self.port, self.directory = free_port(), directory
        self.process: subprocess.Popen | None = None
        directory.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        # Append-only file, fsync every second: what a production Redis behind RQ runs with.
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
                   "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        wait_until(self._answers, 20, "redis-server did not start")
        return self

    def _answers(self) -> bool:
        try:
            return bool(Redis(port=self.port, socket_timeout=0.5).ping())
        except Exception:  # noqa: BLE001 - any failure means "not yet"
            return False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def close(self) -> None:
        self.kill()


# --- a local SMTP server in a process of its own, counting what arrives ------------------------------------------

class _TimedSmtpServer(CaptureSmtpServer):
    """Keeps when each message arrived, for whom and its Message-ID, not the message itself (memory)."""

    def __init__(self, port: int, counter) -> None:
        super().__init__(port)
        self.arrivals: list[tuple[float, str, str]] = []
        self.counter = counter

    def _received(self, session, captured) -> None:
        head = captured.raw.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
        found = next((line.split(":", 1)[1].strip() for line in head.split("\r\n")
                      if line.lower().startswith("message-id:")), "")
        self.arrivals.append((time.time(), captured.rcpt_tos[0], found))
        with self.counter.get_lock():
            self.counter.value += 1


def _serve(port: int, commands, counter) -> None:
    server = _TimedSmtpServer(port, counter).start()
    commands.send("ready")
    while True:
        command = commands.recv()
        if command == "arrivals":
            commands.send(list(server.arrivals))
        elif command == "reset":
            server.arrivals = []
            counter.value = 0
            commands.send("ok")
        elif command == "down":
            server.stop()
            commands.send("ok")
        elif command == "up":
            server.start()
            commands.send("ok")
        else:
            server.stop()
            commands.send("ok")
            return


class SmtpProcess:
    """The capture server in a process of its own: neither the workers nor the bench share its CPU.

    `down()` stops listening (clients get "connection refused") and `up()` listens again on the same port.
    """

    def __init__(self) -> None:
        self.host, self.port = "127.0.0.1", free_port()
        self._commands, theirs = multiprocessing.Pipe()
        self._counter = multiprocessing.Value("i", 0)
        self._process = multiprocessing.Process(target=_serve, args=(self.port, theirs, self._counter), daemon=True)

    def __enter__(self) -> SmtpProcess:
        self._process.start()
        assert self._commands.recv() == "ready"
        return self

    def __exit__(self, *exc_info) -> None:
        self._ask("stop")
        self._process.join(timeout=10)

    def _ask(self, command: str):
        self._commands.send(command)
        return self._commands.recv()

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def received(self) -> int:
        return self._counter.value

    def arrivals(self) -> list[tuple[float, str, str]]:
        """(UNIX time, recipient, Message-ID) of every message since the last reset, in order."""
        return self._ask("arrivals")

    def reset(self) -> None:
        self._ask("reset")

    def down(self) -> None:
        self._ask("down")

    def up(self) -> None:
        self._ask("up")
