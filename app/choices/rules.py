"""A shop's compensation rules, as the pure engine reads them; the platform standard when a shop has none."""

from __future__ import annotations

from sqlalchemy import select

from app import db
from app.domain.compensation import CompensationRule, Option, preset
from app.models import CompensationRuleRow

DEFAULT_PRESET = "platform_standard"


def rule_from_row(row: CompensationRuleRow) -> CompensationRule:
    """A stored rule as the pure engine's value."""
    return CompensationRule(
        kind=row.kind,
        value=row.value,
        floor=row.floor,
        cap=row.cap,
        minimum_order=row.minimum_order,
        validity_days=row.validity_days,
        priority_shipping=row.priority_shipping,
        cover_price_difference_up_to=row.cover_price_difference_up_to,
    )


def rules_for(shop_id: int) -> dict[Option, CompensationRule]:
    """The rule for every option: the shop's own where it set one, else the default preset's."""
    rules = dict(preset(DEFAULT_PRESET).rules)
    rows = db.session().scalars(select(CompensationRuleRow).where(CompensationRuleRow.shop_id == shop_id))
    for row in rows:
        rules[Option(row.option)] = rule_from_row(row)
    return rules
