"""Saving the merchant's settings: each form in one transaction, so a refused form leaves nothing half-saved."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import delete, select

from app import db
from app.admin.shop_state import settings_row
from app.choices.rules import DEFAULT_PRESET
from app.domain.compensation import CompensationRule, Option
from app.domain.messages import default_source
from app.models import CompensationRuleRow, MessageTemplate, Shop


def save_section(shop: Shop, values: Mapping[str, object]) -> None:
    """Write checked values of one settings section."""
    session = db.session()
    row = settings_row(shop)
    for name, value in values.items():
        setattr(row, name, value)
    session.commit()


def save_rules(shop_id: int, rules: Mapping[Option, CompensationRule], preset_id: str | None) -> None:
    """Write the three options' rules together, remembering which preset they came from."""
    session = db.session()
    existing = {
        row.option: row
        for row in session.scalars(select(CompensationRuleRow).where(CompensationRuleRow.shop_id == shop_id))
    }
    for option, rule in rules.items():
        row = existing.get(option.value) or CompensationRuleRow(shop_id=shop_id, option=option.value)
        session.add(row)
        row.kind = rule.kind.value
        row.value = rule.value
        row.floor, row.cap, row.minimum_order = rule.floor, rule.cap, rule.minimum_order
        row.validity_days = rule.validity_days
        row.priority_shipping = rule.priority_shipping
        row.cover_price_difference_up_to = rule.cover_price_difference_up_to
        row.preset_id = preset_id
    session.commit()


def saved_preset(shop_id: int) -> str | None:
    """The preset the rules came from: the default one when none were saved, None when they were edited."""
    presets = set(db.session().scalars(
        select(CompensationRuleRow.preset_id).where(CompensationRuleRow.shop_id == shop_id)
    ))
    if not presets:
        return DEFAULT_PRESET
    return presets.pop() if len(presets) == 1 else None


def _template_where(shop_id: int, kind: str, locale: str, part: str) -> tuple:
    return (
        MessageTemplate.shop_id == shop_id, MessageTemplate.kind == kind,
        MessageTemplate.locale == locale, MessageTemplate.part == part,
    )


def template_source(shop_id: int, kind: str, locale: str, part: str) -> tuple[str, bool]:
    """The merchant's edit of a template part, or ours; and whether it is the merchant's."""
    edited = db.session().scalar(select(MessageTemplate.source).where(*_template_where(shop_id, kind, locale, part)))
    if edited is not None:
        return edited, True
    return default_source(kind, locale, part), False


def save_template(shop_id: int, kind: str, locale: str, part: str, source: str) -> None:
    session = db.session()
    row = session.scalar(select(MessageTemplate).where(*_template_where(shop_id, kind, locale, part)))
    if row is None:
        row = MessageTemplate(shop_id=shop_id, kind=kind, locale=locale, part=part)
        session.add(row)
    row.source = source
    session.commit()


def reset_template(shop_id: int, kind: str, locale: str, part: str) -> None:
    """Go back to our template by forgetting the merchant's edit."""
    session = db.session()
    session.execute(delete(MessageTemplate).where(*_template_where(shop_id, kind, locale, part)))
    session.commit()


def save_locale(shop: Shop, locale: str) -> None:
    save_section(shop, {"admin_locale": locale})
