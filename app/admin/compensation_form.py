"""The compensation form: three rules (wait, substitute, refund) read and checked together, and their live sample."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from app.admin.i18n import day, money, t
from app.domain.compensation import PRESETS, CompensationRule, Option, OrderFacts, sample_coupon, validate_rule
from app.domain.money import Money

RULE_FIELDS = (
    "kind", "value", "floor", "cap", "minimum_order", "validity_days", "priority_shipping",
    "cover_price_difference_up_to",
)
SAMPLE_SUBTOTAL = Decimal("100")
SAMPLE_AFFECTED = Decimal("60")

# validate_rule explains in English; each explanation has a catalogue key so the merchant reads their language.
RULE_ERRORS = {
    "enter a value greater than 0": "err.rule.positive",
    "a percentage cannot be more than 100": "err.rule.percent_max",
    "the cap must not be less than the floor": "err.rule.cap_floor",
    "enter a number like 12.50": "err.rule.number",
    "must not be negative": "err.rule.negative",
    "enter at most 8 digits before the decimal point and 4 after it": "err.rule.digits",
    "enter a whole number of days from 1 to 365": "err.rule.days",
    "must be on or off": "err.flag",
    "a percentage of the refund fits only the refund option": "err.rule.refund_only",
    "priority shipping fits only the wait option": "err.rule.wait_only",
    "covering a price difference fits only the substitute option": "err.rule.substitute_only",
}


def error_key(message: str) -> str:
    if message.startswith("choose one of"):
        return "err.choice"
    return RULE_ERRORS.get(message, "err.invalid")


def parse_rules(form: Mapping[str, object]) -> tuple[dict[Option, CompensationRule], str | None, dict]:
    """The rule for each option from fields named "<option>.<field>", the preset chosen, and errors by field."""
    rules: dict[Option, CompensationRule] = {}
    errors: dict[str, tuple[str, dict]] = {}
    for option in Option:
        data = {name: form.get(f"{option.value}.{name}") for name in RULE_FIELDS}
        rule, problems = validate_rule(data, option)
        if rule is not None:
            rules[option] = rule
        for field_name, message in problems.items():
            errors[f"{option.value}.{field_name}"] = (error_key(message), {})
    preset_id = str(form.get("preset_id") or "").strip() or None
    if preset_id is not None and preset_id not in {p.id for p in PRESETS}:
        errors["preset_id"] = ("err.choice", {})
    return (rules, preset_id, {}) if not errors else ({}, None, errors)


def form_values(rule: CompensationRule) -> dict[str, str]:
    """A rule as the form shows it."""

    def plain(value: Decimal | None) -> str:
        if value is None:
            return ""
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text

    return {
        "kind": rule.kind.value, "value": plain(rule.value) if rule.value else "", "floor": plain(rule.floor),
        "cap": plain(rule.cap), "minimum_order": plain(rule.minimum_order), "validity_days": str(rule.validity_days),
        "priority_shipping": "on" if rule.priority_shipping else "",
        "cover_price_difference_up_to": plain(rule.cover_price_difference_up_to),
    }


def sample_order(currency: str) -> OrderFacts:
    return OrderFacts(Money(SAMPLE_SUBTOTAL, currency), Money(SAMPLE_AFFECTED, currency))


def sample_lines(rules: Mapping[Option, CompensationRule], currency: str, locale: str, today: date) -> dict[str, str]:
    """What each option would give on the sample order, in a sentence of the merchant's language."""
    preview = sample_coupon(rules, sample_order(currency), today=today)
    return {option: describe_grant(grant, locale) for option, grant in preview.items()}


def describe_grant(grant: dict | None, locale: str) -> str:
    if grant is None:
        return t(locale, "coupon.none")
    pieces = []
    if grant["amount"]:
        amount = money(Decimal(grant["amount"]["amount"]), grant["amount"]["currency"], locale)
        if grant["percent"]:
            pieces.append(t(locale, "coupon.amount_percent", amount=amount, percent=grant["percent"]))
        else:
            pieces.append(t(locale, "coupon.amount", amount=amount))
    if grant["free_shipping"]:
        pieces.append(t(locale, "coupon.free_shipping"))
    if grant["priority_shipping"]:
        pieces.append(t(locale, "coupon.priority"))
    if grant["minimum_order"]:
        amount = grant["minimum_order"]
        pieces.append(t(locale, "coupon.minimum", amount=money(Decimal(amount["amount"]), amount["currency"], locale)))
    if grant["ends_on"]:
        pieces.append(t(locale, "coupon.ends", day=day(date.fromisoformat(grant["ends_on"]), locale)))
    return t(locale, "list.separator").join(pieces) if pieces else t(locale, "coupon.none")
