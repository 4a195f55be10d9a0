"""One recorded event through its handler: claim, parse, settle its status, count a failure, start after-commit work.

Shared by the batch path (jobs.event_batches) and the one-at-a-time path below, which handles an event in a
transaction of its own: replays, and the events of a batch whose transaction could not be committed.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import timedelta
from typing import Callable, Iterable, Mapping

from sqlalchemy import select, update

from app import db
from app.models import WebhookEvent
from jobs.handling import Delivery, RejectedPayload
from webhooks.topics import handler_for

log = logging.getLogger("jobs.events")

# Status changes go through the table, not the ORM: no identity-map bookkeeping on the per-event path.
EVENTS = WebhookEvent.__table__
CLAIMED = (EVENTS.c.id, EVENTS.c.shop_id, EVENTS.c.topic, EVENTS.c.event_id, EVENTS.c.webhook_id,
           EVENTS.c.triggered_at, EVENTS.c.raw_body, EVENTS.c.attempts)
RETRY_DELAYS = tuple(timedelta(seconds=s) for s in (10, 30, 120, 600, 1800, 7200))


def retry_delay(failed_attempts: int) -> timedelta | None:
    """The wait before the next attempt after this many failed ones; None once the event should be parked."""
    if 1 <= failed_attempts <= len(RETRY_DELAYS):
        return RETRY_DELAYS[failed_attempts - 1]
    return None


def parse_payload(raw_body: bytes | None) -> dict:
    """The JSON object of a webhook body (64-bit ids stay exact); RejectedPayload for anything else."""
    if raw_body is None:
        raise RejectedPayload("the raw body is gone (pruned)")
    try:
        payload = json.loads(raw_body)
    except (ValueError, RecursionError) as error:  # RecursionError: nested deeper than the parser goes
        raise RejectedPayload(f"body is not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise RejectedPayload(f"body is a JSON {type(payload).__name__}, not an object")
    return payload


def delivery_of(claimed) -> Delivery:
    """The handler's view of a claimed row; RejectedPayload when its body is not a JSON object."""
    return Delivery(shop_id=claimed.shop_id, topic=claimed.topic, event_id=claimed.event_id,
                    webhook_id=claimed.webhook_id, triggered_at=claimed.triggered_at,
                    payload=parse_payload(claimed.raw_body))


def settle(event_pks: Iterable[int], status: str, reason: str | None = None) -> None:
    """Record a final status in the open transaction, with the handler's writes."""
    pks = list(event_pks)
    if pks:
        db.session().execute(update(EVENTS).where(EVENTS.c.id.in_(pks))
                             .values(status=status, error=reason, processed_at=db.utcnow(), next_attempt_at=None))


def failure_values(attempts: int, error: Exception) -> dict:
    """The row's new values after its `attempts`-th attempt failed: the error, and a retry time or parking."""
    delay = retry_delay(attempts)
    detail = f"{type(error).__name__}: {error}\n" + "".join(traceback.format_exception(error))[-3500:]
    values = dict(attempts=attempts, error=detail)
    if delay:
        values["next_attempt_at"] = db.utcnow() + delay
    else:
        values["status"] = "failed"
    return values


def log_failure(claimed, attempts: int, error: Exception) -> str:
    """Tell the operator; returns the event's status: still pending (retry coming) or failed (parked)."""
    delay = retry_delay(attempts)
    context = {"shop_id": claimed.shop_id, "event_id": claimed.event_id, "topic": claimed.topic,
               "attempts": attempts, "error": f"{type(error).__name__}: {error}"}
    if delay:
        log.warning("webhook event failed; will retry", extra={**context, "retry_in_s": delay.total_seconds()})
        return "pending"
    log.error("webhook event parked as failed; replay with `python -m app replay-events`", extra=context)
    return "failed"


def run_after_commit(deliveries: list[Delivery]) -> None:
    """Start the follow-up work of committed events, each piece once (see Delivery: `absorb`)."""
    callbacks = [callback for delivery in deliveries for callback in delivery.after_commit]
    for callback in coalesced(callbacks):
        try:
            callback()
        except Exception:
            # The events' writes are committed; the drain goes on, and the operator sees the lost follow-up.
            log.exception("after-commit work of webhook events failed",
                          extra={"shop_id": deliveries[0].shop_id, "event_ids": [d.event_id for d in deliveries]})


def coalesced(callbacks: Iterable[Callable[[], None]]) -> list[Callable[[], None]]:
    """The callbacks with every one absorbed by an earlier callback of its kind left out, in order."""
    kept: list[Callable[[], None]] = []
    for callback in callbacks:
        if not any(hasattr(k, "absorb") and k.absorb(callback) for k in kept):
            kept.append(callback)
    return kept


def process_event(event_pk: int, table: Mapping[str, str] | None = None) -> str:
    """Run one pending event through its handler and commit the handler's writes with the event's new status.

    Returns the event's new status, or "skipped" when it was no longer pending (another drain took it).
    """
    session = db.session()
    claimed = session.execute(
        update(EVENTS).where(EVENTS.c.id == event_pk, EVENTS.c.status == "pending")
        .values(attempts=EVENTS.c.attempts + 1).returning(*CLAIMED)
    ).first()
    if claimed is None:
        session.rollback()
        return "skipped"
    delivery = None
    try:
        handler = handler_for(claimed.topic, table)
        if handler is None:
            status, reason = "ignored", f"no handler for topic {claimed.topic!r}"
        else:
            delivery = delivery_of(claimed)
            handler(delivery)
            status, reason = "processed", None
        settle([event_pk], status, reason)
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
        run_after_commit([delivery])
    return status


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
    session.execute(update(EVENTS).where(EVENTS.c.id == event_pk, EVENTS.c.status == "pending")
                    .values(**failure_values(attempts, error)))
    session.commit()
    return log_failure(claimed, attempts, error)
