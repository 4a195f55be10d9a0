"""First come, first served, and the reason rule: pure decisions, table-driven."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.catalogue_policy import RestockReason as R
from app.stockout.shortage import SPIKE_ORDERS, SPIKE_WINDOW, Demand, allocate_shortage, infer_reason
from tests.stockout.factories import at


def demand(n, units, seconds=None):
    return Demand(f"line-{n}", f"order-{n}", at(n if seconds is None else seconds), units)


@pytest.mark.parametrize(
    ("oversold", "units", "short"),
    [
        (0, [1, 1, 1], {}),
        (1, [1, 1, 1], {"line-3": 1}),
        (2, [1, 3, 1], {"line-3": 1, "line-2": 1}),
        (4, [1, 3, 1], {"line-3": 1, "line-2": 3}),
        (9, [1, 3, 1], {"line-3": 1, "line-2": 3, "line-1": 1}),
        (2, [2, 0, 0], {"line-1": 2}),
        (-3, [1, 1], {}),
    ],
)
def test_the_last_orders_holding_the_oversold_units_are_short(oversold, units, short):
    demands = [demand(n, u) for n, u in enumerate(units, start=1)]
    assert allocate_shortage(oversold, reversed(demands)) == short


@given(st.integers(0, 30), st.lists(st.integers(0, 5), max_size=12))
def test_never_more_short_than_oversold_and_never_an_earlier_order_before_a_later_one(oversold, units):
    demands = [demand(n, u) for n, u in enumerate(units)]
    short = allocate_shortage(oversold, demands)
    assert sum(short.values()) == min(oversold, sum(units))
    partly = [n for n, d in enumerate(demands) if 0 < short.get(d.line_item_gid, 0)]
    for n in partly:
        later = demands[n + 1:]
        assert all(short.get(d.line_item_gid, 0) == d.units for d in later)


SPIKE = [at(-60 * k) for k in range(SPIKE_ORDERS - 1)]


@pytest.mark.parametrize(
    ("planned", "last_in_stock", "other_orders", "reason"),
    [
        (R.SUPPLIER_SHORTAGE, at(10), SPIKE, R.SUPPLIER_SHORTAGE),
        (R.UNKNOWN, at(0), [], R.INVENTORY_SYNC_DELAY),
        (R.UNKNOWN, at(30), SPIKE, R.INVENTORY_SYNC_DELAY),
        (R.UNKNOWN, at(-1), SPIKE, R.DEMAND_SPIKE),
        (R.UNKNOWN, None, SPIKE[:-1], R.UNKNOWN),
        (R.UNKNOWN, None, [t - SPIKE_WINDOW - timedelta(seconds=1) for t in SPIKE], R.UNKNOWN),
        (R.UNKNOWN, at(-1), [], R.UNKNOWN),
    ],
)
def test_why_it_ran_out(planned, last_in_stock, other_orders, reason):
    assert infer_reason(planned, at(0), last_in_stock, [at(0), *other_orders]) == reason
