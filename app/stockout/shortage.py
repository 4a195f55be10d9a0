"""Who is short when a variant is oversold, and why it ran out: pure decisions over the order ledger.

First come, first served: when a variant is oversold by N units, the orders placed last that together
hold those N units are short; an earlier order is never short while a later one still holds units.

Why it ran out, when the merchant's restock plan does not say:
- `inventory_sync_delay` when Shopify still showed the variant in stock at or after the moment the order
  was placed (a reading with available > 0 no older than the order), so the order was covered when
  placed and the level went negative only afterwards, as when a warehouse system corrects it late;
- otherwise `demand_spike` when at least SPIKE_ORDERS orders for the variant were placed within
  SPIKE_WINDOW up to and including this order;
- otherwise `unknown`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.domain.catalogue_policy import RestockReason

SPIKE_ORDERS = 5
SPIKE_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Demand:
    """Units an order line still waits for."""

    line_item_gid: str
    order_gid: str
    order_created_at: datetime
    units: int


def allocate_shortage(oversold_by: int, demands: Iterable[Demand]) -> dict[str, int]:
    """Units short per line: the last-placed orders holding the oversold units, latest first."""
    short: dict[str, int] = {}
    remaining = max(0, oversold_by)
    latest_first = sorted(demands, key=lambda d: (d.order_created_at, d.order_gid, d.line_item_gid), reverse=True)
    for demand in latest_first:
        if remaining == 0:
            break
        units = min(max(demand.units, 0), remaining)
        if units:
            short[demand.line_item_gid] = units
            remaining -= units
    return short


def infer_reason(
    planned: RestockReason,
    order_created_at: datetime,
    last_in_stock_at: datetime | None,
    order_times: Iterable[datetime],
) -> RestockReason:
    """Why this order's variant ran out: the merchant's reason if given, else the rule in the module docstring."""
    if RestockReason(planned) != RestockReason.UNKNOWN:
        return RestockReason(planned)
    if last_in_stock_at is not None and last_in_stock_at >= order_created_at:
        return RestockReason.INVENTORY_SYNC_DELAY
    window_start = order_created_at - SPIKE_WINDOW
    if sum(1 for t in order_times if window_start <= t <= order_created_at) >= SPIKE_ORDERS:
        return RestockReason.DEMAND_SPIKE
    return RestockReason.UNKNOWN
