"""What a customer gets for a stockout, per option (wait, substitute, refund): grants and coupon codes.

The rules live in compensation_rules, the presets in compensation_presets and the admin form's checks in
compensation_forms; their public names are imported here too, so callers keep importing from this module.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from app.domain.compensation_forms import validate_rule
from app.domain.compensation_presets import PRESETS, CompensationPreset, preset
from app.domain.compensation_rules import (
    PERCENT_KINDS,
    VALUED_KINDS,
    CompensationKind,
    CompensationRule,
    Option,
)
from app.domain.locales import format_day, format_money, resolve_locale
from app.domain.money import CurrencyMismatch, Money, MoneyError, to_decimal


@dataclass(frozen=True)
class OrderFacts:
    """The amounts of the order that compensation is computed from."""

    subtotal: Money
    affected_subtotal: Money

    @property
    def currency(self) -> str:
        return self.subtotal.currency

    def __post_init__(self) -> None:
        if self.affected_subtotal.currency != self.subtotal.currency:
            raise CurrencyMismatch(
                f"order in {self.subtotal.currency} has affected lines in {self.affected_subtotal.currency}"
            )


@dataclass(frozen=True)
class PriceDifference:
    """How a substitute's price difference is settled: covered by a line discount, paid by the customer, or refunded."""

    covered: Money
    customer_pays: Money
    refund: Money


@dataclass(frozen=True)
class CompensationGrant:
    """What the customer gets for choosing an option; `amount` is the coupon's value, None without a money coupon."""

    option: Option
    kind: CompensationKind
    amount: Money | None = None
    percent: Decimal | None = None
    free_shipping: bool = False
    priority_shipping: bool = False
    minimum_order: Money | None = None
    ends_on: date | None = None
    price_difference: PriceDifference | None = None

    @property
    def has_coupon(self) -> bool:
        return self.amount is not None or self.free_shipping

    def message_pieces(self, locale: str) -> dict[str, str]:
        """The facts a message needs, written for the locale; only the pieces that apply are present."""
        language = resolve_locale(locale, None)

        def money(value: Money) -> str:
            return format_money(value.amount, value.currency, language)

        pieces = {"option": self.option.value, "kind": self.kind.value}
        if self.amount is not None:
            pieces["amount"] = money(self.amount)
        if self.percent is not None:
            pieces["percent"] = _plain_number(self.percent)
        if self.minimum_order is not None:
            pieces["minimum_order"] = money(self.minimum_order)
        if self.ends_on is not None:
            pieces["ends_on"] = format_day(self.ends_on, language)
        for name in ("free_shipping", "priority_shipping"):
            if getattr(self, name):
                pieces[name] = "yes"
        if self.price_difference is not None:
            for name in ("covered", "customer_pays", "refund"):
                pieces[name] = money(getattr(self.price_difference, name))
        return pieces

    def to_json(self) -> dict:
        """A JSON-safe dict, e.g. for the admin's live preview."""
        money = _money_json
        difference = self.price_difference
        return {
            "option": self.option.value, "kind": self.kind.value, "amount": money(self.amount),
            "percent": None if self.percent is None else _plain_number(self.percent),
            "free_shipping": self.free_shipping, "priority_shipping": self.priority_shipping,
            "minimum_order": money(self.minimum_order),
            "ends_on": self.ends_on.isoformat() if self.ends_on else None,
            "price_difference": None if difference is None else {
                name: money(getattr(difference, name)) for name in ("covered", "customer_pays", "refund")
            },
        }


def grant_for(
    rule: CompensationRule,
    order: OrderFacts,
    option: Option | str,
    *,
    refund_amount: Money | None = None,
    substitute_price_difference: Money | None = None,
    today: date,
) -> CompensationGrant | None:
    """What the rule grants for this order and option, rounded to the currency; None when it grants nothing.

    `substitute_price_difference` is the substitute's price minus the original's (positive: dearer).
    """
    option = Option(option)
    if rule.kind == CompensationKind.PERCENT_OF_REFUND and option != Option.REFUND:
        raise ValueError("percent_of_refund applies only to the refund option")
    difference = _settle_difference(rule, order, option, substitute_price_difference)
    amount = _coupon_amount(rule, order, refund_amount)
    amount = amount if amount is not None and amount.amount > 0 else None
    free_shipping = rule.kind == CompensationKind.FREE_SHIPPING
    priority = rule.priority_shipping and option == Option.WAIT
    has_coupon = amount is not None or free_shipping
    minimum = Money(rule.minimum_order, order.currency) if rule.minimum_order else None
    if not has_coupon and not priority and difference is None:
        return None
    return CompensationGrant(
        option=option,
        kind=rule.kind if has_coupon else CompensationKind.NONE,
        amount=amount,
        percent=rule.value if has_coupon and rule.kind in PERCENT_KINDS else None,
        free_shipping=free_shipping,
        priority_shipping=priority,
        minimum_order=minimum.rounded() if has_coupon and minimum else None,
        ends_on=today + timedelta(days=rule.validity_days) if has_coupon else None,
        price_difference=difference,
    )


def _coupon_amount(rule: CompensationRule, order: OrderFacts, refund_amount: Money | None) -> Money | None:
    """The coupon's money value: the percentage of its base or the fixed amount, held between floor and cap."""
    if rule.kind not in VALUED_KINDS:
        return None
    if rule.kind == CompensationKind.FIXED_AMOUNT:
        raw = Money(rule.value, order.currency)
    elif rule.kind == CompensationKind.PERCENT_OF_REFUND:
        if refund_amount is None:
            raise ValueError("percent_of_refund needs the refund amount")
        raw = _in_order_currency(refund_amount, order, "refund").percent(rule.value)
    elif rule.kind == CompensationKind.PERCENT_OF_ORDER:
        raw = order.subtotal.percent(rule.value)
    else:
        raw = order.affected_subtotal.percent(rule.value)
    if rule.floor is not None:
        raw = max(raw, Money(rule.floor, order.currency))
    if rule.cap is not None:
        raw = min(raw, Money(rule.cap, order.currency))
    return raw.rounded()


def _settle_difference(
    rule: CompensationRule, order: OrderFacts, option: Option, difference: Money | None
) -> PriceDifference | None:
    """Split a substitute's price difference into what the shop covers, what the customer pays and what is refunded."""
    if difference is None:
        return None
    if option != Option.SUBSTITUTE:
        raise ValueError("a price difference applies only to the substitute option")
    difference = _in_order_currency(difference, order, "price difference").rounded()
    zero = Money.zero(order.currency).rounded()
    if difference.amount <= 0:
        return PriceDifference(zero, zero, -difference if difference.amount else zero)
    covered = min(difference, Money(rule.cover_price_difference_up_to or 0, order.currency)).rounded()
    return PriceDifference(covered, difference - covered, zero)


def _money_json(money: Money | None) -> dict[str, str] | None:
    return None if money is None else {"amount": str(money.amount), "currency": money.currency}


def _in_order_currency(money: Money, order: OrderFacts, what: str) -> Money:
    if money.currency != order.currency:
        raise CurrencyMismatch(f"{what} in {money.currency} for an order in {order.currency}")
    return money


def _plain_number(value: Decimal) -> str:
    """A percentage without trailing zeros: 8, 12.5."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text



def sample_coupon(
    rules: Mapping[Option | str, CompensationRule], sample_order: OrderFacts, *, today: date
) -> dict[str, dict | None]:
    """What each option would grant on a sample order, for the admin's live preview (refunding the affected lines)."""
    preview: dict[str, dict | None] = {}
    for option in Option:
        rule = rules.get(option, rules.get(option.value))
        refund = sample_order.affected_subtotal if option == Option.REFUND else None
        grant = grant_for(rule, sample_order, option, refund_amount=refund, today=today) if rule else None
        preview[option.value] = grant.to_json() if grant else None
    return preview


_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # base32 without 0, O, 1 and I, which customers misread
_CODE_LENGTH = 10


def coupon_code(prefix: str, case_key: str, option: Option | str) -> str:
    """A discount code derived from the case and option, so a retried job creates the same code."""
    prefix = prefix.strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{0,12}", prefix):
        raise ValueError(f"a coupon prefix is up to 12 letters and digits, got {prefix!r}")
    digest = hashlib.sha256(f"{case_key}\x1f{Option(option).value}".encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    body = "".join(_CODE_ALPHABET[(number >> (5 * i)) & 31] for i in range(_CODE_LENGTH))
    return f"{prefix}-{body}" if prefix else body
