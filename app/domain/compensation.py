"""What a customer gets for a stockout, per option (wait, substitute, refund): rules, presets and coupon codes."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

from app.domain.locales import format_day, format_money, resolve_locale
from app.domain.money import CurrencyMismatch, Money, MoneyError, to_decimal


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
_VALUED_KINDS = PERCENT_KINDS | {CompensationKind.FIXED_AMOUNT}
_AMOUNT_FIELDS = ("value", "floor", "cap", "minimum_order", "cover_price_difference_up_to")
_LARGEST_AMOUNT = Decimal(10) ** 8


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
        for name in _AMOUNT_FIELDS:
            if getattr(self, name) is not None:
                object.__setattr__(self, name, to_decimal(getattr(self, name)))


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
    if rule.kind not in _VALUED_KINDS:
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


@dataclass(frozen=True)
class CompensationPreset:
    """A ready-made set of rules for all three options, with a stable id and names in our languages."""

    id: str
    names: Mapping[str, str]
    rules: Mapping[Option, CompensationRule]

    def name(self, locale: str | None) -> str:
        return self.names[resolve_locale(locale, None)]


def _for_every_option(rule: CompensationRule) -> dict[Option, CompensationRule]:
    return {option: rule for option in Option}


_GOODWILL = Decimal(8)
PRESETS: tuple[CompensationPreset, ...] = (
    CompensationPreset(
        "platform_standard",
        {"en": "Platform standard — 5 % of the order, at most 30",
         "zh-CN": "平台标准：订单金额的 5%，最多 30", "zh-TW": "平台標準：訂單金額的 5%，最多 30"},
        _for_every_option(CompensationRule(CompensationKind.PERCENT_OF_ORDER, Decimal(5), cap=Decimal(30))),
    ),
    CompensationPreset(
        "marketplace_late_shipment",
        {"en": "Marketplace late-shipment rule — 10 %, at least 5, at most 100",
         "zh-CN": "电商平台延迟发货规则：10%，最少 5，最多 100", "zh-TW": "電商平台延遲出貨規則：10%，最少 5，最多 100"},
        _for_every_option(
            CompensationRule(CompensationKind.PERCENT_OF_ORDER, Decimal(10), floor=Decimal(5), cap=Decimal(100))
        ),
    ),
    CompensationPreset(
        "goodwill",
        {"en": "Goodwill — 8 % of the refund", "zh-CN": "善意补偿：退款金额的 8%", "zh-TW": "善意補償：退款金額的 8%"},
        # Waiting or taking a substitute refunds nothing, so those options get 8 % of the affected lines instead.
        {
            Option.WAIT: CompensationRule(CompensationKind.PERCENT_OF_AFFECTED_LINES, _GOODWILL),
            Option.SUBSTITUTE: CompensationRule(CompensationKind.PERCENT_OF_AFFECTED_LINES, _GOODWILL),
            Option.REFUND: CompensationRule(CompensationKind.PERCENT_OF_REFUND, _GOODWILL),
        },
    ),
    CompensationPreset(
        "waiting_reward",
        {"en": "Waiting reward — fixed 20, priority shipping",
         "zh-CN": "等待奖励：固定 20，优先发货", "zh-TW": "等待獎勵：固定 20，優先出貨"},
        {
            Option.WAIT: CompensationRule(CompensationKind.FIXED_AMOUNT, Decimal(20), priority_shipping=True),
            Option.SUBSTITUTE: CompensationRule(),
            Option.REFUND: CompensationRule(),
        },
    ),
)


def preset(preset_id: str) -> CompensationPreset:
    """The preset with this id, or ValueError naming the ones there are."""
    for candidate in PRESETS:
        if candidate.id == preset_id:
            return candidate
    raise ValueError(f"unknown compensation preset {preset_id!r}; choose one of {[p.id for p in PRESETS]}")


def validate_rule(
    data: Mapping[str, object], option: Option | str | None = None
) -> tuple[CompensationRule | None, dict[str, str]]:
    """Check an admin form's rule; returns the rule, or None and a message per field that is wrong."""
    errors: dict[str, str] = {}
    try:
        kind = CompensationKind(str(data.get("kind") or "").strip())
    except ValueError:
        kind = CompensationKind.NONE
        errors["kind"] = f"choose one of: {', '.join(k.value for k in CompensationKind)}"
    amounts = {name: _form_amount(data.get(name), name, errors) for name in _AMOUNT_FIELDS}
    value = amounts["value"]
    if kind in _VALUED_KINDS and "value" not in errors:
        if value is None or value == 0:
            errors["value"] = "enter a value greater than 0"
        elif kind in PERCENT_KINDS and value > 100:
            errors["value"] = "a percentage cannot be more than 100"
    floor, cap = amounts["floor"], amounts["cap"]
    if floor is not None and cap is not None and cap < floor and "cap" not in errors:
        errors["cap"] = "the cap must not be less than the floor"
    validity_days = _form_days(data.get("validity_days"), errors)
    priority_shipping = _form_flag(data.get("priority_shipping"), "priority_shipping", errors)
    if option is not None:
        _check_option_fit(Option(option), kind, priority_shipping, amounts, errors)
    if errors:
        return None, errors
    rule = CompensationRule(
        kind=kind, value=value or Decimal(0), floor=floor, cap=cap, minimum_order=amounts["minimum_order"],
        validity_days=validity_days, priority_shipping=priority_shipping,
        cover_price_difference_up_to=amounts["cover_price_difference_up_to"],
    )
    return rule, {}


def _form_amount(raw: object, name: str, errors: dict[str, str]) -> Decimal | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        amount = to_decimal(raw)
    except MoneyError:
        errors[name] = "enter a number like 12.50"
        return None
    if amount < 0:
        errors[name] = "must not be negative"
    elif amount >= _LARGEST_AMOUNT or amount.as_tuple().exponent < -4:
        # The rules table stores NUMERIC(12, 4).
        errors[name] = "enter at most 8 digits before the decimal point and 4 after it"
    else:
        return amount
    return None


def _form_days(raw: object, errors: dict[str, str]) -> int:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return 30
    text = str(raw).strip()
    if isinstance(raw, bool) or not re.fullmatch(r"\d+", text) or not 1 <= int(text) <= 365:
        errors["validity_days"] = "enter a whole number of days from 1 to 365"
        return 30
    return int(text)


def _form_flag(raw: object, name: str, errors: dict[str, str]) -> bool:
    text = str(raw).strip().lower() if raw is not None else ""
    if text in ("", "0", "false", "off", "no"):
        return False
    if text in ("1", "true", "on", "yes"):
        return True
    errors[name] = "must be on or off"
    return False


def _check_option_fit(
    option: Option, kind: CompensationKind, priority: bool, amounts: dict, errors: dict[str, str]
) -> None:
    """Refuse settings that mean nothing for this option."""
    if kind == CompensationKind.PERCENT_OF_REFUND and option != Option.REFUND:
        errors.setdefault("kind", "a percentage of the refund fits only the refund option")
    if priority and option != Option.WAIT:
        errors.setdefault("priority_shipping", "priority shipping fits only the wait option")
    if amounts["cover_price_difference_up_to"] and option != Option.SUBSTITUTE:
        errors.setdefault("cover_price_difference_up_to", "covering a price difference fits only the substitute option")


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
