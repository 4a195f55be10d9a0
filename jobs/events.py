"""Processing recorded webhook events: one drain per shop, retries with backoff, parking, sweeping, replay."""

from __future__ import annotations

import json
import logging
import time
import traceback
from datetime import timedelta
from typing import Mapping

from sqlalchemy import or_, select, update

from app import db
from app.models import Shop, WebhookEvent
from jobs import schedule
from jobs.handling import Delivery, RejectedPayload
from webhooks import dispatch
from webhooks.topics import handler_for

log = logging.getLogger("jobs.events")

# Status changes go through the table, not the ORM: no identity-map bookkeeping on the per-event path.
EVENTS = WebhookEvent.__table__

BATCH_SIZE = 100
DRAIN_BUDGET_SECONDS = 30.0
RETRY_DELAYS = tuple(timedelta(seconds=s) for s in (10, 30, 120, 600, 1800, 7200))
SWEEP_MIN_AGE_SECONDS = 10


def retry_delay(failed_attempts: int) -> timedelta | None:
    """The wait before the next attempt after this many failed ones; None once the event should be parked."""
    if 1 <= failed_attempts <= len(RETRY_DELAYS):
        return RETRY_DELAYS[failed_attempts - 1]
    return None


def drain_shop(shop_id: int, table: Mapping[str, str] | None = None,
               budget_seconds: float = DRAIN_BUDGET_SECONDS) -> int:
    """Process the shop's ready events in arrival order, each in its own transaction; returns how many.

    Past its time budget the drain queues a successor and stops, so one busy shop does not hold a worker.
    """
    started, count = time.monotonic(), 0
    schedule.reseed_lapsed()
    while True:
        dispatch.mark_running(shop_id)
        batch = ready_event_ids(shop_id, BATCH_SIZE)
        for event_pk in batch:
            process_event(event_pk, table)
            count += 1
            if time.monotonic() - started >= budget_seconds:
                dispatch.hand_over(shop_id, table)
                return count
        if not batch and not dispatch.keep_draining(shop_id):
            return count


def ready_event_ids(shop_id: int, limit: int) -> list[int]:
    """The oldest pending events of a shop that are due (never tried, or their backoff has passed)."""
    session = db.session()
    ids = session.scalars(
        select(WebhookEvent.id)
        .where(WebhookEvent.shop_id == shop_id, WebhookEvent.status == "pending")
        .where(or_(WebhookEvent.next_attempt_at.is_(None), WebhookEvent.next_attempt_at <= db.utcnow()))
        .order_by(WebhookEvent.id)
        .limit(limit)
    ).all()
    session.rollback()
    return list(ids)


def process_event(event_pk: int, table: Mapping[str, str] | None = None) -> str:
    """Run one pending event through its handler and commit the handler's writes with the event's new status.

    Returns the event's new status, or "skipped" when it was no longer pending (another drain took it).
    """
    session = db.session()
    claimed = session.execute(
        update(EVENTS)
        .where(EVENTS.c.id == event_pk, EVENTS.c.status == "pending")
        .values(attempts=EVENTS.c.attempts + 1)
        .returning(EVENTS.c.shop_id, EVENTS.c.topic, EVENTS.c.event_id, EVENTS.c.webhook_id,
                   EVENTS.c.triggered_at, EVENTS.c.raw_body)
    ).first()
    if claimed is None:
        session.rollback()
        return "skipped"
    delivery = None
    try:
        status, reason, delivery = _handle(claimed, table)
        _settle(event_pk, status, reason)
        session.commit()
    except RejectedPayload as rejected:
        session.rollback()
        status = _settle_alone(event_pk, "rejected", str(rejected) or "rejected by its handler")
    except Exception as error:
        session.rollback()
        return _record_failure(event_pk, claimed, error)
    finally:
        session.expunge_all()
    if delivery is not None and status == "processed":
        _run_after_commit(delivery)
    return status


def _handle(claimed, table) -> tuple[str, str | None, Delivery | None]:
    """Parse the body and call the topic's handler; the handler's writes stay in the open transaction."""
    handler = handler_for(claimed.topic, table)
    if handler is None:
        return "ignored", f"no handler for topic {claimed.topic!r}", None
    delivery = Delivery(shop_id=claimed.shop_id, topic=claimed.topic, event_id=claimed.event_id,
                        webhook_id=claimed.webhook_id, triggered_at=claimed.triggered_at,
                        payload=parse_payload(claimed.raw_body))
    handler(delivery)
    return "processed", None, delivery


def parse_payload(raw_body: bytes | None) -> dict:
    """The JSON object of a webhook body (64-bit ids stay exact); RejectedPayload for anything else."""
    if raw_body is None:
        raise RejectedPayload("the raw body is gone (pruned)")
    try:
        payload = json.loads(raw_body)
    except ValueError as error:
        raise RejectedPayload(f"body is not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise RejectedPayload(f"body is a JSON {type(payload).__name__}, not an object")
    return payload


def _settle(event_pk: int, status: str, reason: str | None) -> None:
    db.session().execute(
        update(EVENTS)
        .where(EVENTS.c.id == event_pk)
        .values(status=status, error=reason, processed_at=db.utcnow(), next_attempt_at=None)
    )


def _settle_alone(event_pk: int, status: str, reason: str) -> str:
    """Record a final status in its own transaction (the handler's writes were rolled back)."""
    session = db.session()
    session.execute(
        update(EVENTS)
        .where(EVENTS.c.id == event_pk, EVENTS.c.status == "pending")
        .values(status=status, error=reason[:4000], processed_at=db.utcnow(), next_attempt_at=None,
                attempts=EVENTS.c.attempts + 1)
    )
    session.commit()
    return status


def _record_failure(event_pk: int, claimed, error: Exception) -> str:
    """Count the failed attempt and schedule the next one, or park the event as failed once retries run out."""
    session = db.session()
    attempts = session.scalar(select(WebhookEvent.attempts).where(WebhookEvent.id == event_pk)) + 1
    delay = retry_delay(attempts)
    summary = f"{type(error).__name__}: {error}"
    detail = summary + "\n" + "".join(traceback.format_exception(error))[-3500:]
    values = dict(attempts=attempts, error=detail)
    if delay:
        values["next_attempt_at"] = db.utcnow() + delay
    else:
        values["status"] = "failed"
    session.execute(update(EVENTS).where(EVENTS.c.id == event_pk, EVENTS.c.status == "pending")
                    .values(**values))
    session.commit()
    context = {"shop_id": claimed.shop_id, "event_id": claimed.event_id, "topic": claimed.topic,
               "attempts": attempts, "error": summary}
    if delay:
        log.warning("webhook event failed; will retry", extra={**context, "retry_in_s": delay.total_seconds()})
        return "pending"
    log.error("webhook event parked as failed; replay with `python -m app replay-events`", extra=context)
    return "failed"


def _run_after_commit(delivery: Delivery) -> None:
    for callback in delivery.after_commit:
        try:
            callback()
        except Exception:
            # The event's writes are committed; the drain goes on, and the operator sees the lost follow-up.
            log.exception("after-commit work of a webhook event failed",
                          extra={"shop_id": delivery.shop_id, "event_id": delivery.event_id})


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
