"""Reading a compensation rule from the admin's form, with a message for each field that is wrong."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from app.domain.compensation_rules import (
    AMOUNT_FIELDS,
    PERCENT_KINDS,
    VALUED_KINDS,
    CompensationKind,
    CompensationRule,
    Option,
)
from app.domain.money import MoneyError, to_decimal

_LARGEST_AMOUNT = Decimal(10) ** 8


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
    amounts = {name: _form_amount(data.get(name), name, errors) for name in AMOUNT_FIELDS}
    value = amounts["value"]
    if kind in VALUED_KINDS and "value" not in errors:
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
