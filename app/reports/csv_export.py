"""The report's tables as CSV: plain numbers (rates as fractions, spans in minutes) under the reader's headings."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import timedelta
from decimal import Decimal

from app.reports.arithmetic import MonthFigures, ProductTally, RiskRow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MONTHLY_COLUMNS = (
    "month", "orders", "stockout_orders", "stockout_rate", "refund_rate", "substitute_rate", "compensation_cost",
    "average_satisfaction", "first_notice_median_minutes", "first_notice_worst_minutes",
)
REASON_COLUMNS = ("reason", "reason_label", "cases")
PRODUCT_COLUMNS = ("product_gid", "title", "orders", "units")
RISK_COLUMNS = (
    "variant_gid", "product_gid", "title", "available", "sold_30_days", "days_of_cover", "lead_time_days",
    "lead_time_assumed", "suggested_reorder",
)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        # A product title like "=HYPERLINK(...)" would run as a formula in a spreadsheet; a quote keeps it text.
        return "'" + value
    return str(value)


def minutes(span: timedelta | None) -> Decimal | None:
    if span is None:
        return None
    return (Decimal(span.total_seconds()) / 60).quantize(Decimal("0.1"))


def cost_text(cost: dict[str, Decimal], currency: str) -> str:
    """The month's compensation cost: a plain amount in the shop's currency, currencies named when there are others."""
    if not cost:
        return "0"
    if set(cost) == {currency}:
        return str(cost[currency])
    return "; ".join(f"{amount} {code}" for code, amount in cost.items())


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with a byte-order mark, so spreadsheet programs read Chinese headings as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_text(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def monthly_rows(figures: Iterable[MonthFigures], currency: str) -> list[list[object]]:
    return [
        [f.month, f.orders, f.stockout_orders, f.stockout_rate, f.refund_rate, f.substitute_rate,
         cost_text(f.compensation_cost, currency), f.average_satisfaction, minutes(f.first_notice_median),
         minutes(f.first_notice_worst)]
        for f in figures
    ]


def reason_rows(reasons: dict[str, int], labels: dict[str, str]) -> list[list[object]]:
    return [[reason, labels.get(reason, reason), count] for reason, count in reasons.items()]


def product_rows(tallies: Iterable[ProductTally]) -> list[list[object]]:
    return [[t.product_gid, t.title, t.orders, t.units] for t in tallies]


def risk_rows(rows: Iterable[RiskRow]) -> list[list[object]]:
    return [
        [r.variant_gid, r.product_gid, r.title, r.available, r.sold_30_days, r.days_of_cover, r.lead_time_days,
         r.lead_time_assumed, r.suggested_reorder]
        for r in rows
    ]
