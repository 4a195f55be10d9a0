"""Jobs run by real RQ workers against the real Redis."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import db, queues
from app.models import Shop, WebhookEvent
from tests.support.env import environment_for


def _old_processed_event(shop_id: int) -> WebhookEvent:
    return WebhookEvent(shop_id=shop_id, event_id=f"ev-{time.monotonic_ns()}", topic="orders/create",
                        status="processed", raw_body=b"{}", received_at=db.utcnow() - timedelta(days=40))


def test_a_job_enqueued_by_dotted_path_runs_in_a_real_worker_process(app, settings):
    with app.app_context():
        session = db.session()
        shop = Shop(domain="jobs.myshopify.com")
        session.add(shop)
        session.flush()
        session.add(_old_processed_event(shop.id))
        session.commit()
        job = queues.enqueue("low", "jobs.housekeeping.prune_webhook_bodies", older_than_days=30)
    subprocess.run([sys.executable, "-m", "app", "worker", "--burst", "--no-scheduler"],
                   env=environment_for(settings), check=True, timeout=60, capture_output=True, text=True)
    job.refresh()
    assert job.get_status() == "finished"
    assert job.return_value() == 1
    with app.app_context():
        assert db.session().scalars(select(WebhookEvent.raw_body)).one() is None


def test_arguments_must_be_json_safe(app_context):
    with pytest.raises(TypeError):
        queues.enqueue("low", "jobs.housekeeping.prune_webhook_bodies", older_than_days=object())


def test_unknown_queue_names_are_refused(app_context):
    with pytest.raises(ValueError, match="unknown queue"):
        queues.queue("urgent")


def test_queues_are_served_by_priority(app, run_jobs):
    with app.app_context():
        low = queues.enqueue("low", "jobs.housekeeping.prune_webhook_bodies")
        urgent = queues.enqueue("webhooks", "jobs.housekeeping.prune_webhook_bodies")
    assert run_jobs() == 2
    low.refresh(), urgent.refresh()
    assert urgent.ended_at <= low.started_at


@pytest.mark.slow
@pytest.mark.parametrize("worker_kind", ["--simple", "--fork"])
def test_a_job_whose_worker_was_killed_runs_again_within_two_minutes(app, settings, tmp_path, worker_kind):
    """SIGKILL the worker mid-job; another worker picks the job up again well within 2 minutes."""
    marker = tmp_path / "runs"
    with app.app_context():
        job = queues.enqueue("default", "tests.support.slow_job.record_and_sleep", str(marker), 30)
    env = environment_for(settings)
    first = subprocess.Popen([sys.executable, "-m", "app", "worker", worker_kind, "--no-scheduler", "--name", "doomed"],
                             env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: marker.exists() and marker.read_text().count("run") == 1, 30)
        job_pid = int(marker.read_text().split()[1])
        os.killpg(first.pid, signal.SIGKILL)
        if job_pid != first.pid:
            os.kill(job_pid, signal.SIGKILL)  # a forking worker's work-horse lives in its own session
        killed_at = time.monotonic()
        second = subprocess.Popen([sys.executable, "-m", "app", "worker", "--name", "rescuer"],
                                  env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_for(lambda: marker.read_text().count("run") == 2, 120)
            assert time.monotonic() - killed_at < 120
        finally:
            os.killpg(second.pid, signal.SIGKILL)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    job.refresh()
    assert job.retries_left is not None and job.retries_left < 5


def _wait_for(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"condition not met within {seconds} s")
