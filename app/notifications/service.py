"""What each notification job does, with the clock passed in: plan the rows, send what is due, schedule the rest."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from app import db, queues
from app.domain.messages import MessageKind
from app.models import BackInStockSubscription, CaseEvent, Notification, Shop, StockoutCase
from app.notifications import blast, delivery, policy, records, schedule
from app.notifications.delivery import Outcome
from app.notifications.facts import case_state, settings_of
from app.notifications.planning import plan_case
from app.notifications.relevance import default_sequence, moot_reason, waiting

# A held message that wakes up a little early still goes; more than this and it goes back to sleep.
EARLY_TOLERANCE = timedelta(seconds=60)
EMAIL_CHUNK = 500
SMS_CHUNK_SECONDS = 60
# Pending messages that no longer make sense once the customer's stock question is settled.
WAITING_KINDS = ("stockout_notice", "backorder_update")


def load(shop_id: int, case_id: int) -> tuple[Shop | None, StockoutCase | None]:
    session = db.session()
    shop = session.get(Shop, shop_id)
    case = session.get(StockoutCase, case_id)
    if case is not None and case.shop_id != shop_id:
        case = None
    return shop, case


def notify_case(
    shop_id: int,
    case_id: int,
    kind: str,
    now: datetime,
    *,
    sequence: str | int | None = None,
    previous_restock_date: date | None = None,
) -> Outcome | None:
    """Compose and send one message about a case on every channel; None when it is not wanted (any more)."""
    shop, case = load(shop_id, case_id)
    return _notify(shop, case, kind, now, sequence=sequence, previous_restock_date=previous_restock_date)


def _notify(shop: Shop | None, case: StockoutCase | None, kind: str, now: datetime, **details) -> Outcome | None:
    if shop is None or case is None:
        return None
    state = case_state(case)
    if moot_reason(kind, state, shop_installed=shop.is_installed):
        return None
    if details.get("sequence") is None:
        details["sequence"] = default_sequence(kind, state)
    rows = plan_case(shop, case, kind, now, **details)
    for row in rows:
        if row.status == "scheduled":
            schedule.send_at(row)
    return delivery.deliver(rows, shop, now)


def case_opened(shop_id: int, case_id: int, now: datetime) -> Outcome | None:
    """The first notice at once, then backorder updates every N days while the customer waits."""
    shop, case = load(shop_id, case_id)
    outcome = _notify(shop, case, MessageKind.STOCKOUT_NOTICE, now)
    if outcome is not None:
        every = timedelta(days=max(settings_of(shop).backorder_update_days, 1))
        schedule.backorder_update_at(now + every, shop_id, case_id, 1)
    return outcome


def resend_notice(shop_id: int, case_id: int, click: str, now: datetime) -> Outcome | None:
    """The merchant asked to send the stockout notice again: one new message per click, keyed by the click.

    The click is recorded on the case's timeline in the same commit that stores the message rows, so a retried
    job finds both and sends nothing twice; a notice that no longer makes sense is refused with the reason.
    """
    shop, case = load(shop_id, case_id)
    if shop is None or case is None:
        return None
    sequence = f"resend-{click}"
    session = db.session()
    kind = MessageKind.STOCKOUT_NOTICE
    keys = [policy.idempotency_key(shop_id, kind, channel, case_id=case_id, sequence=sequence)
            for channel in ("email", "sms")]
    if records.by_keys(session, keys):
        return _notify(shop, case, kind, now, sequence=sequence)
    refused = moot_reason(kind, case_state(case), shop_installed=shop.is_installed)
    detail = {"click": click, "source": "merchant"}
    if refused:
        session.add(CaseEvent(shop_id=shop_id, case_id=case_id, kind="resend_refused", created_at=now,
                              detail={**detail, "reason": refused}))
        session.commit()
        return None
    # Committed with the message rows (plan_case), or just below when the customer left no address to write to.
    session.add(CaseEvent(shop_id=shop_id, case_id=case_id, kind="notice_resent", created_at=now, detail=detail))
    outcome = _notify(shop, case, kind, now, sequence=sequence)
    session.commit()
    return outcome


def backorder_update(shop_id: int, case_id: int, sequence: int, now: datetime) -> Outcome | None:
    """The n-th periodic update; the next one is scheduled first so a failed send does not end the series."""
    shop, case = load(shop_id, case_id)
    if shop is None or case is None or not shop.is_installed or not waiting(case_state(case)):
        return None
    every = timedelta(days=max(settings_of(shop).backorder_update_days, 1))
    schedule.backorder_update_at(now + every, shop_id, case_id, sequence + 1)
    return _notify(shop, case, MessageKind.BACKORDER_UPDATE, now, sequence=f"u{sequence}")


def restock_date_changed(shop_id: int, case_id: int, previous: date | None, now: datetime) -> Outcome | None:
    """Tell a waiting customer the new date (once per date and delay)."""
    shop, case = load(shop_id, case_id)
    if case is None:
        return None
    sequence = f"date-{case.restock_date.isoformat() if case.restock_date else 'none'}-{case.delay_count}"
    return _notify(shop, case, MessageKind.BACKORDER_UPDATE, now, sequence=sequence, previous_restock_date=previous)


def restock_arrived(shop_id: int, case_id: int, now: datetime) -> Outcome | None:
    schedule.cancel_case(shop_id, case_id, WAITING_KINDS, "the stock arrived", now)
    return notify_case(shop_id, case_id, MessageKind.RESTOCK, now)


def order_shipped(shop_id: int, case_id: int, now: datetime) -> Outcome | None:
    schedule.cancel_case(shop_id, case_id, (*WAITING_KINDS, "restock"), "the order shipped", now)
    return notify_case(shop_id, case_id, MessageKind.SHIPPED, now)


def case_closed(shop_id: int, case_id: int, now: datetime) -> None:
    """Cancel what waits for stock and ask how we did, followup_days after the case closed."""
    shop, case = load(shop_id, case_id)
    schedule.cancel_case(shop_id, case_id, (*WAITING_KINDS, "restock"), "the case closed", now)
    if shop is None or case is None or not shop.is_installed:
        return
    days = settings_of(shop).followup_days
    if days > 0:
        schedule.followup_at((case.closed_at or now) + timedelta(days=days), shop_id, case_id)


def send_one(shop_id: int, notification_id: int, now: datetime) -> Outcome | None:
    """Send one stored row (a held SMS in the morning, a retry)."""
    session = db.session()
    row = session.get(Notification, notification_id)
    shop = session.get(Shop, shop_id)
    if row is None or shop is None or row.shop_id != shop_id or row.status not in records.SENDABLE:
        return None
    if row.status == "scheduled" and row.scheduled_for > now + EARLY_TOLERANCE:
        schedule.send_at(row)
        return None
    return delivery.deliver([row], shop, now)


def send_chunk(shop_id: int, notification_ids: list[int], now: datetime) -> Outcome | None:
    """Send the due rows of one blast chunk; e-mail shares connections, SMS keeps to the provider's pace."""
    session = db.session()
    shop = session.get(Shop, shop_id)
    if shop is None:
        return None
    return delivery.deliver(records.load_pending(session, shop_id, notification_ids), shop, now)


def back_in_stock(
    shop_id: int, subscription_ids: list[int], wave: int | str, now: datetime, *, product_url: str | None = None
) -> int:
    """Rows for these sign-ups (first come, first served) and one job per chunk to send them; returns the rows."""
    session = db.session()
    shop = session.get(Shop, shop_id)
    if shop is None or not shop.is_installed:
        return 0
    subscriptions = list(session.scalars(
        select(BackInStockSubscription)
        .where(BackInStockSubscription.shop_id == shop_id)
        .where(records.among(session, BackInStockSubscription.id, subscription_ids))
        .where(BackInStockSubscription.status == "waiting")
        .order_by(BackInStockSubscription.created_at, BackInStockSubscription.id)
    ))
    planned = 0
    # Sending starts while the rest is still being planned: chunks go out after each slice is stored.
    for start in range(0, len(subscriptions), blast.INSERT_CHUNK):
        ids = blast.plan(shop, subscriptions[start:start + blast.INSERT_CHUNK], now, wave=wave, product_url=product_url)
        enqueue_chunks(shop, ids)
        planned += len(ids)
    return planned


def enqueue_chunks(shop: Shop, ids: list[int]) -> None:
    """One job per chunk: e-mail by the hundreds, SMS by a minute of the sender's rate, held ones for the morning."""
    session = db.session()
    rows = session.execute(
        select(Notification.id, Notification.channel, Notification.status, Notification.scheduled_for)
        .where(Notification.shop_id == shop.id, records.among(session, Notification.id, ids))
        .where(Notification.status.in_(records.SENDABLE))
        .order_by(Notification.id)
    ).all()
    rate = current_app.config["SETTINGS"].sms_rate_per_second
    groups: dict[tuple, list[int]] = {}
    for row_id, channel, status, scheduled_for in rows:
        groups.setdefault((channel, scheduled_for if status == "scheduled" else None), []).append(row_id)
    for (channel, when), members in groups.items():
        size = EMAIL_CHUNK if channel == "email" else max(1, int(rate * SMS_CHUNK_SECONDS))
        timeout = 300 if channel == "email" else SMS_CHUNK_SECONDS * 10
        for start in range(0, len(members), size):
            chunk = members[start:start + size]
            if when is None:
                queues.enqueue(schedule.QUEUE, "jobs.notify.send_blast", shop.id, chunk, timeout=timeout,
                               job_id=f"notify-{shop.id}-blast-{chunk[0]}-{len(chunk)}")
            else:
                schedule.blast_at(when, shop.id, chunk, timeout)
