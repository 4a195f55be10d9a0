"""A fixed order-edit line discount is applied to each unit: the covered total is split, never exceeded."""

from decimal import Decimal

import pytest

from app.choices.order_edits import per_unit


@pytest.mark.parametrize(
    "covered, units, currency, expected",
    [
        ("25", 3, "CNY", "8.33"),
        ("100", 3, "JPY", "33"),
        ("10", 1, "USD", "10.00"),
        ("0.05", 2, "USD", "0.02"),
    ],
)
def test_the_covered_total_is_split_per_unit_rounded_down(covered, units, currency, expected):
    share = per_unit(Decimal(covered), units, currency)
    assert share == Decimal(expected)
    assert share * units <= Decimal(covered)
