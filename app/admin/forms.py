"""The settings forms: what each section holds and how each field is checked, returning values or errors."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from app.channels.sms_provider import SMS_PROVIDERS
from app.domain.presale_label import LabelFormatError, validate_label_format

# An error is a catalogue key and the values it mentions; the view writes it in the merchant's language.
Error = tuple[str, dict]
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"", "0", "false", "off", "no"}


@dataclass(frozen=True)
class Whole:
    name: str
    low: int
    high: int

    def parse(self, raw: str) -> tuple[object, Error | None]:
        text = raw.strip()
        if not re.fullmatch(r"-?\d{1,9}", text) or not self.low <= int(text) <= self.high:
            return None, ("err.whole_range", {"low": self.low, "high": self.high})
        return int(text), None


@dataclass(frozen=True)
class Fraction:
    name: str
    low: Decimal
    high: Decimal
    places: int = 2

    def parse(self, raw: str) -> tuple[object, Error | None]:
        error = ("err.decimal_range", {"low": self.low, "high": self.high, "places": self.places})
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            return None, error
        if not value.is_finite() or not self.low <= value <= self.high or value.as_tuple().exponent < -self.places:
            return None, error
        return value, None


@dataclass(frozen=True)
class Choice:
    name: str
    options: tuple[str, ...]

    def parse(self, raw: str) -> tuple[object, Error | None]:
        if raw.strip() not in self.options:
            return None, ("err.choice", {})
        return raw.strip(), None


@dataclass(frozen=True)
class Flag:
    name: str

    def parse(self, raw: str) -> tuple[object, Error | None]:
        text = raw.strip().lower()
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
        return None, ("err.flag", {})


@dataclass(frozen=True)
class Text:
    name: str
    max_length: int
    kind: str = "text"

    def parse(self, raw: str) -> tuple[object, Error | None]:
        text = raw.strip()
        if len(text) > self.max_length:
            return None, ("err.too_long", {"max": self.max_length})
        if not text:
            return None, None
        if self.kind == "email" and not EMAIL_PATTERN.fullmatch(text):
            return None, ("err.email", {})
        if self.kind == "label_format":
            try:
                validate_label_format(text)
            except LabelFormatError:
                return None, ("err.label_format", {})
        return text, None


SECTIONS: dict[str, tuple] = {
    "catalogue": (
        Whole("short_days", 0, 365), Whole("presale_days", 0, 365), Choice("delist_mode", ("unpublish", "draft")),
        Whole("grace_minutes", 0, 1440), Whole("safety_stock", 0, 100_000),
        Text("presale_label_format", 255, "label_format"),
    ),
    "notices": (
        Whole("notice_deadline_minutes", 5, 10_080), Whole("messages_per_customer_per_day", 1, 20),
        Flag("show_reason"),
    ),
    "channels": (
        Flag("email_enabled"), Flag("sms_enabled"), Choice("sms_provider", tuple(SMS_PROVIDERS)),
        Text("sender_name", 255), Text("reply_to", 320, "email"),
    ),
    "quiet_hours": (Whole("quiet_hours_start", 0, 23), Whole("quiet_hours_end", 0, 23)),
    "followup": (Whole("followup_days", 1, 60), Whole("backorder_update_days", 1, 60)),
    "deadline": (Whole("choice_deadline_days", 1, 30), Choice("default_after_deadline", ("wait", "refund"))),
    "restock": (
        Whole("restock_min_quantity", 1, 100_000), Fraction("restock_batch_multiplier", Decimal("0.1"), Decimal(100)),
        Whole("restock_batch_interval_minutes", 0, 1440),
    ),
    "dry_run": (Flag("dry_run"),),
}


def parse_section(section: str, form: Mapping[str, object]) -> tuple[dict[str, object], dict[str, Error]]:
    """The section's values from a submitted form, or the errors by field; unknown fields are ignored."""
    values: dict[str, object] = {}
    errors: dict[str, Error] = {}
    for spec in SECTIONS[section]:
        raw = form.get(spec.name)
        value, error = spec.parse("" if raw is None else str(raw))
        if error:
            errors[spec.name] = error
        else:
            values[spec.name] = value
    _cross_checks(values, errors)
    return (values, {}) if not errors else ({}, errors)


def _cross_checks(values: dict[str, object], errors: dict[str, Error]) -> None:
    if "short_days" in values and "presale_days" in values and values["presale_days"] < values["short_days"]:
        errors["presale_days"] = ("err.presale_before_short", {})
    if values.get("sms_enabled") is False and values.get("email_enabled") is False:
        errors["email_enabled"] = ("err.one_channel", {})
