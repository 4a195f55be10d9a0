"""A Redis for development, started from PATH when REDIS_URL is unset."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from app.config import ConfigError


def ensure_running(instance_dir: Path) -> str:
    """The URL of the instance's own Redis, starting one if none answers yet."""
    state_dir = instance_dir / "redis"
    state_dir.mkdir(parents=True, exist_ok=True)
    url_file = state_dir / "url"
    if url_file.exists():
        url = url_file.read_text().strip()
        if _answers(url):
            return url
    binary = shutil.which("redis-server")
    if binary is None:
        raise ConfigError("REDIS_URL is unset and no redis-server is on PATH (apt-get install redis-server)")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(state_dir), "--logfile", str(state_dir / "redis.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    _wait_until_answering(url, process)
    url_file.write_text(url)
    atexit.register(_stop, process, url_file, os.getpid())
    return url


def _answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except RedisError:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_answering(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ConfigError(f"redis-server exited with status {process.returncode} on start")
        if _answers(url):
            return
        time.sleep(0.05)
    raise ConfigError("redis-server did not answer within 10 seconds")


def _stop(process: subprocess.Popen, url_file: Path, starter_pid: int) -> None:
    # Forked children (RQ work-horses) inherit atexit hooks; only the starter stops Redis.
    if os.getpid() != starter_pid:
        return
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
    url_file.unlink(missing_ok=True)

