"""`python -m app worker` against a redis-server of its own that is killed and started again (same data dir)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from rq import Worker

from app import create_app, queues
from bench.stack import free_port, stop
from tests.conftest import make_settings
from tests.support.env import environment_for


def run_and_mark(marker_path: str, tag: str, seconds: float = 0.0) -> None:
    """The job: note its start, take its time, note its end."""
    with open(marker_path, "a") as marker:
        marker.write(f"{tag} started\n")
    time.sleep(seconds)
    with open(marker_path, "a") as marker:
        marker.write(f"{tag} ended\n")


JOB = f"{__name__}.run_and_mark"


class OwnRedis:
    """A redis-server on a free port with an append-only file fsynced at every write, so a kill loses nothing
    (bench/stack.py's RedisServer fsyncs every second, as production does: a test must not depend on that second)."""

    def __init__(self, directory: Path) -> None:
        self.port, self.directory = free_port(), directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_until(self._answers, "redis-server did not start")

    def _answers(self) -> bool:
        try:
            return bool(Redis(port=self.port, socket_timeout=0.5).ping())
        except Exception:  # noqa: BLE001 - not up yet (refused, or still loading its file)
            return False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def wait_until(condition, message: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message)


def count(marker: Path, line: str) -> int:
    return marker.read_text().splitlines().count(line) if marker.exists() else 0


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path / "redis")
    server.directory.mkdir()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def worker_env(migrated_database, own_redis, tmp_path):
    settings = make_settings(migrated_database, own_redis.url)
    return create_app(settings), environment_for(settings)


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    with open(log, "ab") as output:
        return subprocess.Popen([sys.executable, "-m", "app", "worker", "--name", "steadfast"], env=env,
                                stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


@pytest.mark.slow
def test_the_worker_waits_for_redis_and_runs_its_interrupted_job_and_new_ones(worker_env, own_redis, tmp_path):
    app, env = worker_env
    marker, log = tmp_path / "runs", tmp_path / "worker.log"
    with app.app_context():
        queues.enqueue("default", JOB, str(marker), "interrupted", 2)
    worker = start_worker(env, log)
    try:
        wait_until(lambda: count(marker, "interrupted started") == 1, "the job never started")
        own_redis.kill()
        wait_until(lambda: count(marker, "interrupted ended") == 1, "the job did not end while Redis was away")
        own_redis.start()
        with app.app_context():
            queues.enqueue("default", JOB, str(marker), "after the restart")
        wait_until(lambda: count(marker, "after the restart ended") == 1,
                   f"a job enqueued after the restart did not run:\n{log.read_text()}")
        wait_until(lambda: count(marker, "interrupted ended") == 2,
                   f"the interrupted job did not run again:\n{log.read_text()}")
        assert worker.poll() is None, log.read_text()
        workers = Worker.all(connection=Redis.from_url(own_redis.url))
        assert [(w.name, w.pid) for w in workers] == [("steadfast", worker.pid)]
    finally:
        stop(worker)
    assert worker.returncode == 0, log.read_text()


@pytest.mark.slow
def test_a_worker_started_again_under_its_name_runs_the_job_its_killed_predecessor_had_started(
        worker_env, tmp_path):
    app, env = worker_env
    marker, log = tmp_path / "runs", tmp_path / "worker.log"
    with app.app_context():
        job = queues.enqueue("default", JOB, str(marker), "abandoned", 3)
    first = start_worker(env, log)
    try:
        wait_until(lambda: count(marker, "abandoned started") == 1, "the job never started")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        second = start_worker(env, log)
        try:
            wait_until(lambda: count(marker, "abandoned ended") == 1,
                       f"the abandoned job did not run again:\n{log.read_text()}")
            assert second.poll() is None, log.read_text()
        finally:
            stop(second)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    assert count(marker, "abandoned started") == 2
    job.refresh()
    assert job.get_status() == "finished"


@pytest.mark.slow
def test_a_worker_started_while_redis_is_away_waits_for_it(worker_env, own_redis, tmp_path):
    app, env = worker_env
    marker, log = tmp_path / "runs", tmp_path / "worker.log"
    own_redis.kill()
    worker = start_worker(env, log)
    try:
        wait_until(lambda: "waits for it" in log.read_text(), "the worker did not notice Redis was away")
        own_redis.start()
        with app.app_context():
            queues.enqueue("default", JOB, str(marker), "first")
        wait_until(lambda: count(marker, "first ended") == 1, f"the job did not run:\n{log.read_text()}")
        assert worker.poll() is None, log.read_text()
    finally:
        stop(worker)
    assert worker.returncode == 0, log.read_text()
