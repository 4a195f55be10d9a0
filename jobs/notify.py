"""Notification jobs: plain functions of JSON-safe ids, safe to run twice (each message has its idempotency key).

A job whose messages failed for a passing reason raises TransientDeliveryError, so RQ retries it with backoff;
the rows already sent are never sent again.
"""

from __future__ import annotations

from datetime import date, timedelta

from app import db
from app.domain.messages import MessageKind
from app.notifications import records, schedule, service


def _raise_if_transient(outcome) -> None:
    if outcome is not None:
        outcome.raise_if_transient()


def case_opened(shop_id: int, case_id: int) -> None:
    """The stockout notice, by e-mail and SMS, at once; then backorder updates every N days."""
    _raise_if_transient(service.case_opened(shop_id, case_id, db.utcnow()))


def resend_notice(shop_id: int, case_id: int, click: str) -> None:
    """The merchant's "resend" button: the stockout notice once more, once per click (the click is the key)."""
    _raise_if_transient(service.resend_notice(shop_id, case_id, click, db.utcnow()))


def send_notification(shop_id: int, notification_id: int) -> None:
    """Send one stored notification (held by quiet hours, or retried)."""
    _raise_if_transient(service.send_one(shop_id, notification_id, db.utcnow()))


def backorder_update(shop_id: int, case_id: int, sequence: int = 1) -> None:
    """The periodic "still waiting" update while the case waits for stock."""
    _raise_if_transient(service.backorder_update(shop_id, case_id, sequence, db.utcnow()))


def restock_date_changed(shop_id: int, case_id: int, previous_restock_date: str | None = None) -> None:
    """Tell the waiting customer the restock date moved (previous date as ISO text, when known)."""
    previous = date.fromisoformat(previous_restock_date) if previous_restock_date else None
    _raise_if_transient(service.restock_date_changed(shop_id, case_id, previous, db.utcnow()))


def restock_arrived(shop_id: int, case_id: int) -> None:
    _raise_if_transient(service.restock_arrived(shop_id, case_id, db.utcnow()))


def order_shipped(shop_id: int, case_id: int) -> None:
    _raise_if_transient(service.order_shipped(shop_id, case_id, db.utcnow()))


def case_message(shop_id: int, case_id: int, kind: str) -> None:
    """Any other message about a case (choice_confirmed, default_applied, refund_done, compensation_coupon)."""
    _raise_if_transient(service.notify_case(shop_id, case_id, MessageKind(kind), db.utcnow()))


def case_closed(shop_id: int, case_id: int) -> None:
    """Cancel what waited for stock and schedule the satisfaction follow-up."""
    service.case_closed(shop_id, case_id, db.utcnow())


def satisfaction_followup(shop_id: int, case_id: int) -> None:
    _raise_if_transient(service.notify_case(shop_id, case_id, MessageKind.SATISFACTION_FOLLOWUP, db.utcnow()))


def back_in_stock(shop_id: int, subscription_ids: list[int], wave: int = 0, product_url: str | None = None) -> int:
    """Plan the back-in-stock messages of these sign-ups and enqueue one send_blast job per chunk."""
    return service.back_in_stock(shop_id, subscription_ids, wave, db.utcnow(), product_url=product_url)


def send_blast(shop_id: int, notification_ids: list[int]) -> None:
    """Send one chunk of a blast: opt-outs checked per batch at send time, one SMTP connection per batch."""
    _raise_if_transient(service.send_chunk(shop_id, notification_ids, db.utcnow()))


def cancel_case(shop_id: int, case_id: int) -> int:
    """Cancel everything pending for a case that moved on (chosen, refunded, closed)."""
    return schedule.cancel_case(shop_id, case_id, None, "the case moved on", db.utcnow())


def shop_uninstalled(shop_id: int) -> int:
    """Cancel everything pending for a shop that uninstalled the app."""
    return schedule.cancel_shop(shop_id, "the shop uninstalled the app", db.utcnow())


def sweep_unconfirmed(older_than_minutes: int = 15) -> int:
    """Mark rows a dead worker left `sending` as `unconfirmed` (shown, never resent)."""
    now = db.utcnow()
    return records.mark_unconfirmed(db.session(), now - timedelta(minutes=older_than_minutes), now)
