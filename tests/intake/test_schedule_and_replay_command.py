"""Periodic jobs run by plain `python -m app worker` processes, and the replay-events command."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from app import db, queues
from app.models import WebhookEvent
from jobs.schedule import PERIODIC, ensure_periodic_jobs, heartbeat_key, next_slot, reseed_lapsed, tick
from tests.intake.conftest import make_shop, record
from tests.support.env import environment_for

SWEEP = next(p for p in PERIODIC if p.name == "sweep")


def scheduled_ids(queue_name: str) -> list[str]:
    return queues.queue(queue_name).scheduled_job_registry.get_job_ids()


def test_the_next_slot_is_strictly_later_and_on_the_grid():
    at = datetime(2026, 11, 25, 10, 0, 7, tzinfo=timezone.utc)
    slot, run_at = next_slot(SWEEP, at)
    assert run_at == datetime(2026, 11, 25, 10, 0, 15, tzinfo=timezone.utc)
    assert next_slot(SWEEP, run_at)[0] == slot + 1


def test_seeding_twice_schedules_each_chain_once(app_context):
    assert ensure_periodic_jobs() == [periodic.name for periodic in PERIODIC]
    assert ensure_periodic_jobs() == []
    assert len(scheduled_ids("webhooks")) == 1 and scheduled_ids("webhooks")[0].startswith("periodic-sweep-")
    assert len(scheduled_ids("low")) == sum(periodic.queue == "low" for periodic in PERIODIC)


def test_a_tick_schedules_its_successor_first_and_keeps_the_other_chains_alive(app_context):
    assert tick("sweep") == []
    assert queues.redis().exists(heartbeat_key("sweep"))
    assert [i.split("-")[1] for i in scheduled_ids("webhooks")] == ["sweep"]
    assert len(scheduled_ids("low")) == sum(periodic.queue == "low" for periodic in PERIODIC)
    assert reseed_lapsed() == []


@pytest.mark.slow
def test_a_starting_worker_seeds_every_periodic_chain(app, settings):
    worker = subprocess.Popen([sys.executable, "-m", "app", "worker", "--no-scheduler"],
                              env=environment_for(settings), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with app.app_context():
            expected = {periodic.name for periodic in PERIODIC}
            seeded: set[str] = set()
            deadline = time.monotonic() + 30
            while seeded != expected and time.monotonic() < deadline:
                time.sleep(0.2)
                seeded = {job_id.removeprefix("periodic-").rsplit("-", 1)[0]
                          for name in {periodic.queue for periodic in PERIODIC} for job_id in scheduled_ids(name)}
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert seeded == expected


def test_a_worker_process_runs_a_due_sweep_which_drains_what_redis_missed(app, settings, sample):
    with app.app_context():
        make_shop()
        record("orders/create", sample("orders-create.json"), event_id="missed-by-redis")
        db.session().execute(update(WebhookEvent).values(received_at=db.utcnow() - timedelta(minutes=1)))
        db.session().commit()
        queues.queue("webhooks").enqueue_at(db.utcnow() - timedelta(seconds=1), "jobs.schedule.tick", args=("sweep",),
                                            job_id="periodic-sweep-due", result_ttl=60)
    subprocess.run([sys.executable, "-m", "app", "worker", "--burst", "--queues", "webhooks"],
                   env=environment_for(settings), check=True, timeout=60, capture_output=True)
    with app.app_context():
        event = db.session().scalars(select(WebhookEvent)).one()
        assert event.status != "pending" and event.attempts == 1


def test_replay_events_command_replays_the_chosen_failed_events(app, settings):
    with app.app_context():
        make_shop()
        record("orders/create", b'{"id": 1}', event_id="chosen")
        record("orders/create", b'{"id": 2}', event_id="left-alone")
        db.session().execute(update(WebhookEvent).values(status="failed", attempts=7, error="boom"))
        db.session().commit()
    result = subprocess.run([sys.executable, "-m", "app", "replay-events", "--shop", "intake-test.myshopify.com",
                             "--event-id", "chosen"], env=environment_for(settings), timeout=60,
                            capture_output=True, text=True)
    assert result.stdout.splitlines() == ["chosen: rejected", "1 event(s) replayed, 1 not processed"]
    assert result.returncode == 0
    with app.app_context():
        found = dict(db.session().execute(select(WebhookEvent.event_id, WebhookEvent.status)).all())
    assert found == {"chosen": "rejected", "left-alone": "failed"}
