"""The monthly report's figures, computed from plain rows: no database, no clock, no formatting."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

RATE_PLACES = Decimal("0.0001")
SCORE_PLACES = Decimal("0.01")
DEFAULT_LEAD_DAYS = 14
SALES_WINDOW_DAYS = 30


@dataclass(frozen=True)
class CaseTally:
    """Cases of one month sharing a reason and a choice, counted by the database, with their satisfaction answers."""

    month: str
    reason: str
    choice: str | None
    cases: int
    satisfaction_total: int = 0
    satisfaction_answers: int = 0


@dataclass(frozen=True)
class NoticeTally:
    """How many customers of one month first heard from the shop after this many whole minutes, and the longest."""

    month: str
    minutes: int
    cases: int
    longest_seconds: float


@dataclass(frozen=True)
class CompensationFact:
    month: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class MonthFigures:
    month: str
    orders: int
    stockout_orders: int
    stockout_rate: Decimal | None
    refund_rate: Decimal | None
    substitute_rate: Decimal | None
    compensation_cost: dict[str, Decimal]
    average_satisfaction: Decimal | None
    first_notice_median: timedelta | None
    first_notice_worst: timedelta | None
    reasons: dict[str, int] = field(default_factory=dict)


def month_of(moment: datetime, timezone: str) -> str:
    """The shop-local month a moment falls in, as "YYYY-MM"."""
    local = moment.astimezone(ZoneInfo(timezone or "UTC"))
    return f"{local.year:04d}-{local.month:02d}"


def month_bounds(month: str, timezone: str) -> tuple[datetime, datetime]:
    """The first moment of the shop-local month and of the next one, timezone-aware."""
    year, number = (int(part) for part in month.split("-"))
    zone = ZoneInfo(timezone or "UTC")
    start = datetime.combine(date(year, number, 1), time(), zone)
    following = date(year + number // 12, number % 12 + 1, 1)
    return start, datetime.combine(following, time(), zone)


def months_ending(month: str, count: int) -> list[str]:
    """`count` months up to and including `month`, oldest first."""
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def ratio(part: int, whole: int) -> Decimal | None:
    """part / whole to four places (0.1250 is 12.5 %); None when there is nothing to divide by."""
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def average(total: int, count: int) -> Decimal | None:
    if count <= 0:
        return None
    return (Decimal(total) / count).quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def median_minutes(histogram: Iterable[tuple[int, int]]) -> timedelta | None:
    """The median of (minutes, how many) pairs; with an even count the lower middle, a wait that really happened."""
    pairs = sorted((minutes, count) for minutes, count in histogram if count > 0)
    total = sum(count for _, count in pairs)
    if total == 0:
        return None
    middle, seen = (total + 1) // 2, 0
    for minutes, count in pairs:
        seen += count
        if seen >= middle:
            return timedelta(minutes=minutes)
    raise AssertionError("unreachable: the counts add up to the total")


def month_figures(
    month: str,
    orders: int,
    tallies: Iterable[CaseTally],
    notices: Iterable[NoticeTally],
    compensations: Iterable[CompensationFact],
) -> MonthFigures:
    """The figures of one month, from its order count, case tallies, first-notice waits and compensations."""
    tallies, notices = list(tallies), list(notices)
    worst = max((n.longest_seconds for n in notices), default=None)
    cases = sum(t.cases for t in tallies)
    choices: Counter = Counter()
    reasons: Counter = Counter()
    for t in tallies:
        choices[t.choice] += t.cases
        reasons[t.reason] += t.cases
    cost: dict[str, Decimal] = defaultdict(Decimal)
    for compensation in compensations:
        cost[compensation.currency] += Decimal(compensation.amount)
    return MonthFigures(
        month=month,
        orders=orders,
        stockout_orders=cases,
        stockout_rate=ratio(cases, orders),
        refund_rate=ratio(choices["refund"], cases),
        substitute_rate=ratio(choices["substitute"], cases),
        compensation_cost=dict(sorted(cost.items())),
        average_satisfaction=average(sum(t.satisfaction_total for t in tallies),
                                     sum(t.satisfaction_answers for t in tallies)),
        first_notice_median=median_minutes((n.minutes, n.cases) for n in notices),
        first_notice_worst=None if worst is None else timedelta(seconds=round(worst)),
        reasons={reason: count for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))},
    )


def monthly_figures(
    months: list[str],
    orders_by_month: Mapping[str, int],
    tallies: Iterable[CaseTally],
    notices: Iterable[NoticeTally],
    compensations: Iterable[CompensationFact],
) -> list[MonthFigures]:
    """Figures for each month asked for; rows of other months are ignored."""
    grouped: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for kind, rows in (("tallies", tallies), ("notices", notices), ("costs", compensations)):
        for row in rows:
            grouped[row.month][kind].append(row)
    return [
        month_figures(month, orders_by_month.get(month, 0), grouped[month]["tallies"], grouped[month]["notices"],
                      grouped[month]["costs"])
        for month in months
    ]


@dataclass(frozen=True)
class ShortLineFact:
    case_id: int
    product_gid: str | None
    title: str
    quantity_short: int


@dataclass(frozen=True)
class ProductTally:
    product_gid: str | None
    title: str
    orders: int
    units: int


def top_products(lines: Iterable[ShortLineFact], limit: int = 10) -> list[ProductTally]:
    """The products that short the most orders (then units), with a stable order for ties."""
    orders: dict[str | None, set[int]] = defaultdict(set)
    units: Counter = Counter()
    titles: dict[str | None, str] = {}
    for line in lines:
        key = line.product_gid or f"title:{line.title}"
        orders[key].add(line.case_id)
        units[key] += line.quantity_short
        titles.setdefault(key, line.title)
    tallies = [
        ProductTally(None if key.startswith("title:") else key, titles[key], len(orders[key]), units[key])
        for key in orders
    ]
    return sorted(tallies, key=lambda t: (-t.orders, -t.units, t.title, t.product_gid or ""))[:limit]


@dataclass(frozen=True)
class StockFact:
    variant_gid: str
    product_gid: str | None
    title: str
    available: int
    lead_time_days: int | None = None


@dataclass(frozen=True)
class RiskRow:
    variant_gid: str
    product_gid: str | None
    title: str
    available: int
    sold_30_days: int
    days_of_cover: Decimal
    lead_time_days: int
    lead_time_assumed: bool
    suggested_reorder: int


def days_of_cover(available: int, sold_in_window: int, window_days: int = SALES_WINDOW_DAYS) -> Decimal | None:
    """How many days the stock lasts at the window's sales pace; None when nothing sold (it lasts)."""
    if sold_in_window <= 0:
        return None
    cover = Decimal(max(available, 0)) * window_days / Decimal(sold_in_window)
    return cover.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def suggested_reorder(sold_in_window: int) -> int:
    """Half of the last 30 days' sales, rounded up so a single sale still suggests one unit."""
    return math.ceil(sold_in_window / 2)


def products_at_risk(stock: Iterable[StockFact], sold: Mapping[str, int]) -> list[RiskRow]:
    """Variants whose stock runs out before a reorder could arrive, the most urgent first."""
    rows = []
    for variant in stock:
        sold_in_window = sold.get(variant.variant_gid, 0)
        cover = days_of_cover(variant.available, sold_in_window)
        lead = variant.lead_time_days if variant.lead_time_days is not None else DEFAULT_LEAD_DAYS
        if cover is None or cover >= lead:
            continue
        rows.append(RiskRow(
            variant.variant_gid, variant.product_gid, variant.title, variant.available, sold_in_window, cover, lead,
            variant.lead_time_days is None, suggested_reorder(sold_in_window),
        ))
    return sorted(rows, key=lambda row: (row.days_of_cover, -row.sold_30_days, row.title, row.variant_gid))
