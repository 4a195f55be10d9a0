"""Processing recorded webhook events: one drain per shop, in batches, retries with backoff, parking, sweeping, replay."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Mapping

from sqlalchemy import or_, select, update

from app import db
from app.models import Shop, WebhookEvent
from jobs import schedule
from jobs.event_batches import run_batch
from jobs.event_steps import EVENTS, parse_payload, process_event, retry_delay
from webhooks import dispatch

__all__ = ["drain_shop", "failed_events", "parse_payload", "process_event", "replay_events", "retry_delay", "sweep"]

log = logging.getLogger("jobs.events")

BATCH_SIZE = 200
BATCH_SECONDS = 0.2
DRAIN_BUDGET_SECONDS = 30.0
SWEEP_MIN_AGE_SECONDS = 10


def drain_shop(shop_id: int, table: Mapping[str, str] | None = None,
               budget_seconds: float = DRAIN_BUDGET_SECONDS) -> int:
    """Process the shop's ready events in arrival order, several to a transaction (jobs.event_batches).

    A batch takes up to BATCH_SIZE events, and no more once BATCH_SECONDS have passed, so the follow-up
    work of its first events waits little. Past its time budget the drain queues a successor and stops,
    so one busy shop does not hold a worker. Returns how many events it took.
    """
    started, count = time.monotonic(), 0
    schedule.reseed_lapsed()
    while True:
        dispatch.mark_running(shop_id)
        ready = ready_events(shop_id, BATCH_SIZE)
        if not ready and not dispatch.keep_draining(shop_id):
            return count
        if ready:
            left = budget_seconds - (time.monotonic() - started)
            count += run_batch(ready, table, min(BATCH_SECONDS, left))
        if time.monotonic() - started >= budget_seconds:
            dispatch.hand_over(shop_id, table)
            return count


def ready_events(shop_id: int, limit: int) -> list[tuple[int, str]]:
    """The oldest pending events of a shop that are due (never tried, or their backoff has passed): id and topic."""
    session = db.session()
    rows = session.execute(
        select(WebhookEvent.id, WebhookEvent.topic)
        .where(WebhookEvent.shop_id == shop_id, WebhookEvent.status == "pending")
        .where(or_(WebhookEvent.next_attempt_at.is_(None), WebhookEvent.next_attempt_at <= db.utcnow()))
        .order_by(WebhookEvent.id)
        .limit(limit)
    ).all()
    session.rollback()
    return [(row.id, row.topic) for row in rows]


def sweep(min_age_seconds: int = SWEEP_MIN_AGE_SECONDS, table: Mapping[str, str] | None = None) -> list[int]:
    """Request a drain for every shop with due events recorded a while ago and still pending (nothing is lost)."""
    session = db.session()
    now = db.utcnow()
    shop_ids = session.scalars(
        select(WebhookEvent.shop_id)
        .where(WebhookEvent.status == "pending", WebhookEvent.received_at <= now - timedelta(seconds=min_age_seconds))
        .where(or_(WebhookEvent.next_attempt_at.is_(None), WebhookEvent.next_attempt_at <= now))
        .distinct()
    ).all()
    session.rollback()
    for shop_id in shop_ids:
        dispatch.request_drain(shop_id, table)
    if shop_ids:
        log.info("sweeper requested drains", extra={"shop_ids": list(shop_ids)})
    return list(shop_ids)


def failed_events(shop_id: int, limit: int = 100) -> list[WebhookEvent]:
    """The shop's events parked as failed, newest first, with their errors (for the admin)."""
    return list(db.session().scalars(
        select(WebhookEvent)
        .where(WebhookEvent.shop_id == shop_id, WebhookEvent.status == "failed")
        .order_by(WebhookEvent.id.desc())
        .limit(limit)
    ))


def replay_events(shop_domain: str | None = None, topic: str | None = None, event_id: str | None = None,
                  table: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """Run failed events again, now, in arrival order; a failure parks the event again at once."""
    session = db.session()
    query = select(WebhookEvent.id, WebhookEvent.event_id).where(WebhookEvent.status == "failed")
    if shop_domain:
        query = query.join(Shop, Shop.id == WebhookEvent.shop_id).where(Shop.domain == shop_domain.lower())
    if topic:
        query = query.where(WebhookEvent.topic == topic)
    if event_id:
        query = query.where(WebhookEvent.event_id == event_id)
    chosen = session.execute(query.order_by(WebhookEvent.id)).all()
    results = []
    for event_pk, key in chosen:
        session.execute(update(EVENTS).where(EVENTS.c.id == event_pk, EVENTS.c.status == "failed")
                        .values(status="pending", next_attempt_at=None))
        session.commit()
        results.append((key, process_event(event_pk, table)))
    return results
