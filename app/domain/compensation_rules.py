"""The vocabulary of compensation: the options a customer picks from, the kinds of compensation, and one rule."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from app.domain.money import to_decimal


class Option(str, Enum):
    WAIT = "wait"
    SUBSTITUTE = "substitute"
    REFUND = "refund"


class CompensationKind(str, Enum):
    PERCENT_OF_ORDER = "percent_of_order"
    PERCENT_OF_AFFECTED_LINES = "percent_of_affected_lines"
    PERCENT_OF_REFUND = "percent_of_refund"
    FIXED_AMOUNT = "fixed_amount"
    FREE_SHIPPING = "free_shipping"
    NONE = "none"


PERCENT_KINDS = frozenset(
    {CompensationKind.PERCENT_OF_ORDER, CompensationKind.PERCENT_OF_AFFECTED_LINES, CompensationKind.PERCENT_OF_REFUND}
)
# The kinds whose coupon is worth money, so whose rule needs a value.
VALUED_KINDS = PERCENT_KINDS | {CompensationKind.FIXED_AMOUNT}
AMOUNT_FIELDS = ("value", "floor", "cap", "minimum_order", "cover_price_difference_up_to")


@dataclass(frozen=True)
class CompensationRule:
    """How one option is compensated; amounts are in the shop's currency, `value` is a percentage for percent kinds."""

    kind: CompensationKind = CompensationKind.NONE
    value: Decimal = Decimal(0)
    floor: Decimal | None = None
    cap: Decimal | None = None
    minimum_order: Decimal | None = None
    validity_days: int = 30
    priority_shipping: bool = False
    cover_price_difference_up_to: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", CompensationKind(self.kind))
        for name in AMOUNT_FIELDS:
            if getattr(self, name) is not None:
                object.__setattr__(self, name, to_decimal(getattr(self, name)))
