"""The restock forms: one or many products' restock date and reason, and explaining a refused CSV row."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from app.admin.cases_query import calendar_day
from app.admin.i18n import t
from app.domain.catalogue_policy import RestockReason

MAX_LEAD_DAYS = 365
MAX_PRODUCTS = 500
REASONS = tuple(reason.value for reason in RestockReason)


@dataclass(frozen=True)
class RestockEntry:
    product_ids: tuple[int, ...]
    restock_date: date | None
    lead_time_days: int | None
    reason: str


def parse_restock(form: Mapping[str, object], today: date) -> tuple[RestockEntry | None, dict]:
    """The products chosen and the plan for them; a date in the past or nothing to set is refused."""
    errors: dict[str, tuple[str, dict]] = {}
    raw_ids = form.get("product_ids") or []
    raw_ids = [raw_ids] if isinstance(raw_ids, (str, int)) else raw_ids
    valid = [int(i) for i in raw_ids if str(i).isdigit()]
    ids = tuple(dict.fromkeys(valid))
    if not ids or len(valid) != len(raw_ids):
        errors["product_ids"] = ("err.no_products", {})
    elif len(ids) > MAX_PRODUCTS:
        errors["product_ids"] = ("err.too_many_products", {"max": MAX_PRODUCTS})
    day = None
    raw_day = str(form.get("restock_date") or "").strip()
    if raw_day:
        day = calendar_day(raw_day)
        if day is None:
            errors["restock_date"] = ("err.date", {})
        elif day < today:
            errors["restock_date"] = ("err.date_past", {})
    lead = None
    raw_lead = str(form.get("lead_time_days") or "").strip()
    if raw_lead:
        if not raw_lead.isdigit() or int(raw_lead) > MAX_LEAD_DAYS:
            errors["lead_time_days"] = ("err.whole_range", {"low": 0, "high": MAX_LEAD_DAYS})
        else:
            lead = int(raw_lead)
    reason = str(form.get("reason") or "unknown")
    if reason not in REASONS:
        errors["reason"] = ("err.choice", {})
    if errors:
        return None, errors
    return RestockEntry(ids, day, lead, reason), {}


# Import problems come back in English from the stockout service; each has a catalogue key.
_CSV_REASONS = (
    (r"the header must name .*", "csv_error.header"),
    (r"only the first (?P<max>\d+) rows are imported", "csv_error.too_many"),
    (r"give exactly one of .*", "csv_error.one_target"),
    (r"restock_date '(?P<value>.*)' is not a date.*", "csv_error.date"),
    (r"lead_time_days '(?P<value>.*)' is not a whole number.*", "csv_error.lead"),
    (r"nothing to set.*", "csv_error.nothing"),
    (r"SKU '(?P<value>.*)' matches no known variant", "csv_error.sku_unknown"),
    (r"SKU '(?P<value>.*)' matches several variants.*", "csv_error.sku_ambiguous"),
    (r"unknown reason '(?P<value>.*)'.*", "csv_error.reason"),
    (r"\S+ '(?P<value>.*)' is not a \S+ id", "csv_error.id"),
)
_COMPILED = tuple((re.compile(pattern, re.DOTALL), key) for pattern, key in _CSV_REASONS)


def explain_row(message: str, locale: str) -> str:
    for pattern, key in _COMPILED:
        found = pattern.fullmatch(message)
        if found:
            return t(locale, key, **found.groupdict())
    return t(locale, "csv_error.other", detail=message)
