"""What needs the merchant's attention: customers waiting to hear, today's stockouts, switched products, failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from app import db
from app.admin.cases_query import CLOSED_STATUSES
from app.admin.i18n import local_time
from app.models import Notification, ProductState, StockoutCase, VariantStock, WebhookEvent

LIST_LIMIT = 10


@dataclass(frozen=True)
class Overview:
    waiting_cases: list
    waiting_count: int
    overdue_count: int
    open_count: int
    stockouts_today: list
    stockouts_today_count: int
    switched_products: list
    switched_counts: dict[str, int]
    failed_messages: list
    failed_messages_count: int
    failed_events: list
    failed_events_count: int


def start_of_day(now: datetime, timezone: str) -> datetime:
    """Midnight of the shop's current day, as a UTC-aware moment."""
    midnight = local_time(now, timezone).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(UTC)


def load_overview(shop_id: int, now: datetime, timezone: str) -> Overview:
    session = db.session()
    is_open = (StockoutCase.shop_id == shop_id, StockoutCase.status.not_in(CLOSED_STATUSES))
    waiting = (*is_open, StockoutCase.notified_at.is_(None))
    today = start_of_day(now, timezone)
    out_today = (VariantStock.shop_id == shop_id, VariantStock.out_of_stock_since >= today, VariantStock.available <= 0)
    switched = (ProductState.shop_id == shop_id, ProductState.state != "normal")
    failed_messages = (Notification.shop_id == shop_id, Notification.status == "failed")
    failed_events = (WebhookEvent.shop_id == shop_id, WebhookEvent.status == "failed")

    def count(*where) -> int:
        return session.scalar(select(func.count()).where(*where))

    return Overview(
        waiting_cases=list(session.scalars(
            select(StockoutCase).where(*waiting)
            .order_by(StockoutCase.notify_deadline_at.asc().nulls_last(), StockoutCase.id).limit(LIST_LIMIT)
        )),
        waiting_count=count(*waiting),
        overdue_count=count(*waiting, StockoutCase.notify_deadline_at < now),
        open_count=count(*is_open),
        stockouts_today=list(session.scalars(
            select(VariantStock).where(*out_today).order_by(VariantStock.out_of_stock_since.desc()).limit(LIST_LIMIT)
        )),
        stockouts_today_count=count(*out_today),
        switched_products=list(session.scalars(
            select(ProductState).where(*switched)
            .order_by(ProductState.decided_at.desc().nulls_last()).limit(LIST_LIMIT)
        )),
        switched_counts=dict(session.execute(
            select(ProductState.state, func.count()).where(*switched).group_by(ProductState.state)
        ).all()),
        failed_messages=list(session.scalars(
            select(Notification).where(*failed_messages).order_by(Notification.id.desc()).limit(LIST_LIMIT)
        )),
        failed_messages_count=count(*failed_messages),
        failed_events=list(session.scalars(
            select(WebhookEvent).where(*failed_events).order_by(WebhookEvent.id.desc()).limit(LIST_LIMIT)
        )),
        failed_events_count=count(*failed_events),
    )
