"""Periodic jobs (the sweeper, reconciliation) run by the ordinary workers through RQ's scheduler.

Each periodic job is a chain of scheduled `tick` jobs: a tick first schedules the next one, then does its work.
Job ids are the time slot (`periodic-sweep-<slot>`) with unique=True, so any number of workers seeding the
chains at once yields one job per slot, and two chains that meet merge. Every `python -m app worker` runs
RQ's scheduler (unless started with --no-scheduler), which moves a due tick into its queue, and any worker
then runs it: nothing but worker processes is needed. `ensure_periodic_jobs()` seeds the chains and is meant
to run when a worker starts; besides, every tick and every drain checks the chains' heartbeats and reseeds a
lapsed one (after Redis lost its data, say).

RQ 3's `rq.cron` was considered and not used: it is a separate `rq cron` process per host (every copy enqueues
its own jobs, no election), it enqueues with RQ's default pickle serializer where our queues use JSON, and it
needs `croniter`.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from rq.exceptions import DuplicateJobError

from app import db, queues

log = logging.getLogger("jobs.schedule")


@dataclass(frozen=True)
class Periodic:
    name: str
    function: str
    every_seconds: int
    queue: str
    timeout: int


PERIODIC = (
    Periodic("sweep", "jobs.events.sweep", 15, "webhooks", 60),
    Periodic("reconcile", "jobs.reconcile.reconcile_all", 300, "low", 120),
    Periodic("choice-deadlines", "jobs.choices.sweep_deadlines", 300, "default", 120),
    Periodic("unconfirmed-messages", "jobs.notify.sweep_unconfirmed", 600, "notifications", 120),
    Periodic("shop-facts", "jobs.shop_facts.refresh_all_shop_facts", 86400, "low", 300),
    Periodic("reevaluate", "jobs.catalogue.reevaluate_all_shops", 3600, "default", 300),
    Periodic("prune-ledger", "jobs.catalogue.prune_ledger", 86400, "low", 300),
)
_BY_NAME = {periodic.name: periodic for periodic in PERIODIC}


def heartbeat_key(name: str) -> str:
    return f"periodic:{name}:alive"


def next_slot(periodic: Periodic, now: datetime) -> tuple[int, datetime]:
    """The next time slot strictly after `now`, and when it starts."""
    slot = int(now.timestamp() // periodic.every_seconds) + 1
    return slot, datetime.fromtimestamp(slot * periodic.every_seconds, timezone.utc)


def schedule_next(periodic: Periodic, now: datetime | None = None) -> bool:
    """Schedule the tick of the next slot; False when that slot's tick already exists."""
    slot, run_at = next_slot(periodic, now or db.utcnow())
    try:
        queues.queue(periodic.queue).enqueue_at(
            run_at, "jobs.schedule.tick", args=(periodic.name,), job_id=f"periodic-{periodic.name}-{slot}",
            unique=True, result_ttl=600, failure_ttl=86400, job_timeout=periodic.timeout,
        )
    except DuplicateJobError:
        return False
    return True


def tick(name: str) -> object:
    """Run one periodic job, having first scheduled its next run so that a failure here never ends the chain."""
    periodic = _BY_NAME[name]
    schedule_next(periodic)
    queues.redis().set(heartbeat_key(name), db.utcnow().isoformat(), ex=3 * periodic.every_seconds)
    reseed_lapsed()
    module_name, _, function = periodic.function.rpartition(".")
    return getattr(importlib.import_module(module_name), function)()


def ensure_periodic_jobs() -> list[str]:
    """Seed every chain (idempotent); the names of the chains that had lapsed."""
    seeded = [periodic.name for periodic in PERIODIC if schedule_next(periodic)]
    if seeded:
        log.info("periodic jobs seeded", extra={"periodic": seeded})
    return seeded


def resume_after_redis_outage() -> list[int]:
    """Run by a worker that lost Redis, once Redis answers again: make up for what the outage may have cost.

    The chains are seeded again (a Redis without persistence lost them), and every shop with pending events gets
    a drain now rather than at the sweeper's next tick (the web recorded events while its drain requests failed);
    the shops given one.
    """
    from sqlalchemy import select

    from app.models import WebhookEvent
    from webhooks import dispatch

    ensure_periodic_jobs()
    session = db.session()
    shop_ids = session.scalars(select(WebhookEvent.shop_id).where(WebhookEvent.status == "pending").distinct()).all()
    session.rollback()
    return dispatch.resume_drains(shop_ids)


def reseed_lapsed() -> list[str]:
    """Seed only the chains whose heartbeat has lapsed (a cheap check made by the busy jobs)."""
    alive = queues.redis().mget([heartbeat_key(periodic.name) for periodic in PERIODIC])
    lapsed = [periodic for periodic, beat in zip(PERIODIC, alive) if beat is None]
    return [periodic.name for periodic in lapsed if schedule_next(periodic)]
