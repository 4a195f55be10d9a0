"""The rows behind the monthly report, read for one shop and handed to the arithmetic as plain facts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Float, Integer, case, cast, func, select

from app import db
from app.models import CaseLine, Compensation, RestockPlan, StockoutCase, VariantStock
from app.models.catalogue import SeenOrder, VariantSalesDay
from app.reports.arithmetic import (
    DEFAULT_LEAD_DAYS,
    SALES_WINDOW_DAYS,
    CaseTally,
    CompensationFact,
    MonthFigures,
    NoticeTally,
    ProductTally,
    RiskRow,
    ShortLineFact,
    StockFact,
    month_bounds,
    monthly_figures,
    products_at_risk,
    top_products,
)

# Compensation that never reached the customer costs nothing.
UNPAID_COMPENSATION = ("failed", "cancelled")


def month_buckets(months: list[str], timezone: str) -> list[datetime]:
    """The boundaries between the months, oldest first: one more than there are months."""
    return [month_bounds(month, timezone)[0] for month in months] + [month_bounds(months[-1], timezone)[1]]


def _bucket(column, bounds: list[datetime]):
    """Which month (index into the list) a moment falls in, computed by the database on any backend."""
    return case(*((column < bound, index) for index, bound in enumerate(bounds[1:])), else_=len(bounds) - 2)


def _seconds_between(start, end):
    """end - start in seconds, written for the backend in use."""
    if db.session().get_bind().dialect.name == "postgresql":
        return cast(func.extract("epoch", end - start), Float)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def _whole_minutes(seconds):
    """Seconds rounded down to whole minutes, so waits can be counted per minute instead of fetched one by one."""
    if db.session().get_bind().dialect.name == "postgresql":
        return cast(func.floor(seconds / 60), Integer)
    return cast(seconds / 60, Integer)


def load_monthly(shop_id: int, months: list[str], timezone: str) -> list[MonthFigures]:
    """Each month's figures, months given oldest first; the database buckets rows, the arithmetic sums them."""
    connection = db.session().connection()  # Core rows: the sums need no ORM loading
    bounds = month_buckets(months, timezone)

    def within(column) -> tuple:
        return column >= bounds[0], column < bounds[-1]

    order_bucket = _bucket(SeenOrder.created_at, bounds)
    orders = connection.execute(
        select(order_bucket, func.count()).where(SeenOrder.shop_id == shop_id, *within(SeenOrder.created_at))
        .group_by(order_bucket)
    )
    case_bucket = _bucket(StockoutCase.detected_at, bounds)
    in_window = (StockoutCase.shop_id == shop_id, *within(StockoutCase.detected_at))
    tallies = connection.execute(
        select(case_bucket, StockoutCase.reason, StockoutCase.choice, func.count(),
               func.coalesce(func.sum(StockoutCase.satisfaction_score), 0), func.count(StockoutCase.satisfaction_score))
        .where(*in_window).group_by(case_bucket, StockoutCase.reason, StockoutCase.choice)
    ).all()
    waited = _seconds_between(StockoutCase.detected_at, StockoutCase.notified_at)
    minutes = _whole_minutes(waited)
    notices = connection.execute(
        select(case_bucket, minutes, func.count(), func.max(waited))
        .where(*in_window, StockoutCase.notified_at.is_not(None)).group_by(case_bucket, minutes)
    ).all()
    cost_bucket = _bucket(Compensation.created_at, bounds)
    costs = connection.execute(
        select(cost_bucket, Compensation.currency, func.sum(Compensation.amount))
        .where(Compensation.shop_id == shop_id, *within(Compensation.created_at),
               Compensation.status.not_in(UNPAID_COMPENSATION))
        .group_by(cost_bucket, Compensation.currency)
    )
    return monthly_figures(
        months,
        {months[index]: count for index, count in orders},
        [CaseTally(months[index], *rest) for index, *rest in tallies],
        [NoticeTally(months[index], int(waited_minutes), count, float(longest))
         for index, waited_minutes, count, longest in notices],
        [CompensationFact(months[index], Decimal(amount), currency) for index, currency, amount in costs],
    )


def load_top_products(shop_id: int, month: str, timezone: str, limit: int = 10) -> list[ProductTally]:
    start, end = month_bounds(month, timezone)
    rows = db.session().execute(
        select(CaseLine.case_id, CaseLine.product_gid, CaseLine.title, CaseLine.quantity_short)
        .join(StockoutCase, StockoutCase.id == CaseLine.case_id)
        .where(StockoutCase.shop_id == shop_id, StockoutCase.detected_at >= start, StockoutCase.detected_at < end)
    )
    return top_products((ShortLineFact(*row) for row in rows), limit)


def _lead_times(shop_id: int) -> dict[tuple[str, str], int]:
    rows = db.session().execute(
        select(RestockPlan.scope, RestockPlan.scope_key, RestockPlan.lead_time_days)
        .where(RestockPlan.shop_id == shop_id, RestockPlan.lead_time_days.is_not(None))
    )
    return {(scope, key or ""): days for scope, key, days in rows}


def load_at_risk(shop_id: int, today: date) -> list[RiskRow]:
    """Variants that sold in the last 30 days and will run out before a reorder arrives."""
    session = db.session()
    sold = (
        select(VariantSalesDay.variant_gid, func.sum(VariantSalesDay.quantity).label("sold"))
        .where(VariantSalesDay.shop_id == shop_id, VariantSalesDay.day > today - timedelta(days=SALES_WINDOW_DAYS))
        .group_by(VariantSalesDay.variant_gid)
        .subquery()
    )
    leads = _lead_times(shop_id)
    # Only stock that runs out within the longest lead time can be at risk; the arithmetic decides the rest.
    longest = max([DEFAULT_LEAD_DAYS, *leads.values()])
    rows = session.execute(
        select(VariantStock.variant_gid, VariantStock.product_gid, VariantStock.title, VariantStock.sku,
               VariantStock.vendor, VariantStock.available, sold.c.sold)
        .join(sold, sold.c.variant_gid == VariantStock.variant_gid)
        .where(VariantStock.shop_id == shop_id, VariantStock.tracked.is_(True),
               VariantStock.available * SALES_WINDOW_DAYS < sold.c.sold * longest)
    ).all()
    stock, sold_by_variant = [], {}
    for variant_gid, product_gid, title, sku, vendor, available, quantity in rows:
        lead = next((leads[key] for key in (
            ("variant", variant_gid), ("product", product_gid or ""), ("vendor", vendor or ""), ("shop", "")
        ) if key in leads), None)
        stock.append(StockFact(variant_gid, product_gid, title or sku or variant_gid, available, lead))
        sold_by_variant[variant_gid] = int(quantity)
    return products_at_risk(stock, sold_by_variant)
