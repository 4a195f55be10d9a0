"""Closed months' figures, kept for ten minutes: they barely change, and recounting a year scans every case."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

from app import queues
from app.reports.arithmetic import MonthFigures, months_ending
from app.reports.queries import load_monthly

CLOSED_MONTH_TTL_SECONDS = 600


def to_json(figures: MonthFigures) -> str:
    def text(value):
        return None if value is None else str(value)

    def seconds(span: timedelta | None):
        return None if span is None else span.total_seconds()

    return json.dumps({
        "month": figures.month, "orders": figures.orders, "stockout_orders": figures.stockout_orders,
        "stockout_rate": text(figures.stockout_rate), "refund_rate": text(figures.refund_rate),
        "substitute_rate": text(figures.substitute_rate),
        "compensation_cost": {code: str(amount) for code, amount in figures.compensation_cost.items()},
        "average_satisfaction": text(figures.average_satisfaction),
        "first_notice_median": seconds(figures.first_notice_median),
        "first_notice_worst": seconds(figures.first_notice_worst), "reasons": figures.reasons,
    })


def from_json(raw: str | bytes) -> MonthFigures:
    data = json.loads(raw)

    def number(name: str) -> Decimal | None:
        return None if data[name] is None else Decimal(data[name])

    def span(name: str) -> timedelta | None:
        return None if data[name] is None else timedelta(seconds=data[name])

    return MonthFigures(
        month=data["month"], orders=data["orders"], stockout_orders=data["stockout_orders"],
        stockout_rate=number("stockout_rate"), refund_rate=number("refund_rate"),
        substitute_rate=number("substitute_rate"),
        compensation_cost={code: Decimal(amount) for code, amount in data["compensation_cost"].items()},
        average_satisfaction=number("average_satisfaction"), first_notice_median=span("first_notice_median"),
        first_notice_worst=span("first_notice_worst"), reasons=data["reasons"],
    )


def _key(shop_id: int, timezone: str, month: str) -> str:
    return f"report:month:{shop_id}:{timezone}:{month}"


def monthly(shop_id: int, months: list[str], timezone: str, current_month: str) -> list[MonthFigures]:
    """Each month's figures: the current month always counted afresh, closed months from the cache when there."""
    redis = queues.redis()
    cached = redis.mget([_key(shop_id, timezone, month) for month in months])
    found = {month: from_json(raw) for month, raw in zip(months, cached) if raw is not None and month < current_month}
    missing = [month for month in months if month not in found]
    if missing:
        span = months_ending(missing[-1], months.index(missing[-1]) - months.index(missing[0]) + 1)
        fresh = {figures.month: figures for figures in load_monthly(shop_id, span, timezone)}
        with redis.pipeline() as pipe:
            for month in missing:
                found[month] = fresh[month]
                if month < current_month:
                    pipe.set(_key(shop_id, timezone, month), to_json(fresh[month]), ex=CLOSED_MONTH_TTL_SECONDS)
            pipe.execute()
    return [found[month] for month in months]
