"""Telling back-in-stock sign-ups in order, batch by batch while stock lasts, and one reminder later."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app import db, queues
from app.choices.back_in_stock import WAITING, explain_waiting, shop_settings, waiting_count
from app.choices.batch_policy import next_batch
from app.choices.shopify_order import GraphQLClient, variant_state
from app.models import BackInStockSubscription, Shop
from app.models.messaging import RestockAlert
from app.notifications import blast, service
from app.shopify import documents

REMINDER_AFTER = timedelta(hours=24)
NOTIFIED = "notified"


def _job_id(kind: str, shop_id: int, variant_gid: str, *parts) -> str:
    return "-".join([kind, str(shop_id), variant_gid.rsplit("/", 1)[-1], *map(str, parts)])


def _finish(alert: RestockAlert, status: str, outcome: str, now: datetime) -> None:
    alert.status, alert.outcome, alert.finished_at = status, outcome, now
    db.session().commit()


def _next_in_line(shop_id: int, variant_gid: str, size: int) -> list[BackInStockSubscription]:
    return list(db.session().scalars(
        select(BackInStockSubscription)
        .where(BackInStockSubscription.shop_id == shop_id, BackInStockSubscription.variant_gid == variant_gid)
        .where(BackInStockSubscription.status == WAITING)
        .order_by(BackInStockSubscription.consent_at, BackInStockSubscription.id)
        .limit(size)
    ))


def send_batch(client: GraphQLClient, shop_id: int, variant_gid: str, wave: int, batch: int) -> int:
    """Re-check stock, tell the next sign-ups in line, and plan the next batch; returns how many were told."""
    session = db.session()
    alert = session.scalars(
        select(RestockAlert).where(RestockAlert.shop_id == shop_id, RestockAlert.variant_gid == variant_gid)
    ).first()
    if alert is None or alert.wave != wave or alert.status != "running" or alert.batch_number >= batch:
        return 0
    now = db.utcnow()
    state = variant_state(client, variant_gid)
    settings = shop_settings(shop_id)
    waiting = waiting_count(shop_id, variant_gid)
    decision = next_batch(state.available, settings.restock_batch_multiplier if settings else 1, waiting,
                          published=state.published, minimum=settings.restock_min_quantity if settings else 1)
    if decision.size == 0:
        explain_waiting(shop_id, variant_gid, f"not told: {decision.stop_reason} (restock {wave}, batch {batch})")
        _finish(alert, "stopped" if waiting else "finished", decision.stop_reason, now)
        return 0
    chosen = _next_in_line(shop_id, variant_gid, decision.size)
    shop = session.get(Shop, shop_id)
    service.enqueue_chunks(shop, blast.plan(shop, chosen, now, wave=wave, product_url=state.url))
    for row in chosen:
        row.status, row.notified_at = NOTIFIED, now
        row.status_reason = f"told in batch {batch} of restock {wave}, when {state.available} were available"
    alert.batch_number = batch
    session.commit()
    _schedule_after(alert, shop_id, variant_gid, wave, batch, now, len(chosen) < waiting, settings)
    return len(chosen)


def _schedule_after(alert, shop_id, variant_gid, wave, batch, now, more_waiting: bool, settings) -> None:
    """The reminder for this batch, and the next batch after the interval (or the end of the wave)."""
    queues.queue("default").enqueue_at(
        now + REMINDER_AFTER, "jobs.back_in_stock.send_reminders", shop_id, variant_gid, wave,
        job_id=_job_id("bis-remind", shop_id, variant_gid, wave, batch), retry=queues.DEFAULT_RETRY,
    )
    if not more_waiting:
        _finish(alert, "finished", f"everyone waiting was told in {batch} batch(es)", now)
        return
    interval = timedelta(minutes=settings.restock_batch_interval_minutes if settings else 30)
    queues.enqueue("default", "jobs.back_in_stock.send_batch", shop_id, variant_gid, wave, batch + 1,
                   delay=interval, job_id=_job_id("bis", shop_id, variant_gid, wave, batch + 1))


def send_reminders(client: GraphQLClient, shop_id: int, variant_gid: str, wave: int) -> int:
    """One reminder to those told a day ago who have not bought, only while it is still in stock."""
    session = db.session()
    now = db.utcnow()
    due = list(session.scalars(
        select(BackInStockSubscription)
        .where(BackInStockSubscription.shop_id == shop_id, BackInStockSubscription.variant_gid == variant_gid)
        .where(BackInStockSubscription.status == NOTIFIED, BackInStockSubscription.reminded_at.is_(None))
        .where(BackInStockSubscription.notified_at <= now - REMINDER_AFTER + timedelta(minutes=5))
        .order_by(BackInStockSubscription.notified_at, BackInStockSubscription.id)
    ))
    if not due:
        return 0
    state = variant_state(client, variant_gid)
    if state.available <= 0 or not state.published:
        _note(due, "no reminder: it was sold out again (or unpublished) when the reminder was due")
        return 0
    remind = []
    for row in due:
        bought = _bought_since(client, row, variant_gid)
        if bought is None:
            row.status_reason = "no reminder: without an e-mail or customer we cannot tell whether they bought"
            row.reminded_at = now
        elif bought:
            row.status, row.status_reason = "bought", "bought after the alert; no reminder"
        else:
            remind.append(row)
    shop = session.get(Shop, shop_id)
    service.enqueue_chunks(shop, blast.plan(shop, remind, now, wave=f"{wave}-reminder", product_url=state.url))
    for row in remind:
        row.reminded_at, row.status_reason = now, f"told in restock {wave}, reminded once a day later"
    session.commit()
    return len(remind)


def _note(rows: list[BackInStockSubscription], reason: str) -> None:
    for row in rows:
        row.status_reason = reason
    db.session().commit()


def _bought_since(client: GraphQLClient, row: BackInStockSubscription, variant_gid: str) -> bool | None:
    """Whether the sign-up's buyer ordered this variant since the alert; None when we cannot tell."""
    if row.customer_gid:
        who = f"customer_id:{row.customer_gid.rsplit('/', 1)[-1]}"
    elif row.email:
        who = f"email:\"{row.email}\""
    else:
        return None
    query = f"{who} created_at:>='{row.notified_at.isoformat()}'"
    orders = client.graphql(documents.ORDERS_OF_BUYER_SINCE, query=query)["orders"]["nodes"]
    return any(
        not order.get("cancelledAt") and any((line.get("variant") or {}).get("id") == variant_gid
                                             for line in order["lineItems"]["nodes"])
        for order in orders
    )
