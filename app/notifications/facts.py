"""Gathering what a message says from the database: shop, settings, case, offer and the merchant's templates."""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlalchemy import select

from app import db
from app.choices import links as choice_links
from app.choices import offers
from app.choices.picks import number
from app.domain import messages
from app.domain.locales import resolve_locale
from app.models import Compensation, MessageTemplate, Shop, ShopSettings, StockoutCase
from app.notifications import links
from app.notifications.offer import describe
from app.notifications.relevance import CaseState

CHOICES = ("wait", "substitute", "refund")
# Kinds whose text describes the options (all of them, or the one chosen).
OFFER_KINDS = frozenset({
    messages.MessageKind.STOCKOUT_NOTICE,
    messages.MessageKind.BACKORDER_UPDATE,
    messages.MessageKind.CHOICE_CONFIRMED,
    messages.MessageKind.DEFAULT_APPLIED,
    messages.MessageKind.REFUND_DONE,
})


def settings_of(shop: Shop) -> ShopSettings:
    """The shop's settings row, or one (not saved) holding the product's defaults."""
    if shop.settings is not None:
        return shop.settings
    defaults = {
        column.key: column.default.arg
        for column in ShopSettings.__table__.columns
        if column.default is not None and not callable(column.default.arg)
    }
    return ShopSettings(shop_id=shop.id, **defaults)


def message_shop(shop: Shop, settings: ShopSettings) -> messages.Shop:
    """The shop as its customers know it: its sender name, where replies go, currency, language, time zone."""
    return messages.Shop(
        name=settings.sender_name or shop.name or shop.domain,
        contact_email=settings.reply_to or shop.contact_email,
        currency=shop.currency,
        locale=resolve_locale(shop.locale, None),
        timezone=shop.timezone or "UTC",
    )


def case_state(case: StockoutCase) -> CaseState:
    return CaseState(
        status=case.status,
        choice=case.choice,
        resolved_at=case.resolved_at,
        closed_at=case.closed_at,
        satisfaction_score=case.satisfaction_score,
    )


def case_locale(case: StockoutCase, shop: Shop) -> str:
    """The customer's language, else the shop's."""
    return resolve_locale(case.customer_locale, shop.locale)


def first_name(full_name: str | None) -> str | None:
    """The name to greet with: the first word of a Western name, a CJK name whole."""
    name = (full_name or "").strip()
    return name.split()[0] if name else None


def case_facts(
    case: StockoutCase,
    shop: Shop,
    settings: ShopSettings,
    kind: str,
    *,
    previous_restock_date: date | None = None,
) -> messages.MessageFacts:
    """The facts of one case's message; the unsubscribe link is added per recipient."""
    kind = messages.MessageKind(kind)
    default = settings.default_after_deadline if settings.default_after_deadline in CHOICES else None
    options = messages.Options()
    if kind in OFFER_KINDS:
        titles = {number(line.line_item_gid): line.title or line.sku or "?" for line in case.lines}
        options = describe(
            offers.ensure_offer(case), offers.grant_of,
            lambda option: choice_links.choice_url(shop.id, case.id, option), titles,
        )
    return messages.MessageFacts(
        shop=message_shop(shop, settings),
        items=tuple(
            messages.Item(title=line.title or line.sku or "?", quantity_short=max(line.quantity_short, 1))
            for line in case.lines
            if line.quantity_short > 0
        ) or tuple(messages.Item(title=line.title or "?", quantity_short=1) for line in case.lines),
        order_name=case.order_name or None,
        customer_first_name=first_name(case.customer_name),
        reason_code=case.reason,
        show_reason=bool(settings.show_reason),
        restock_date=case.restock_date,
        previous_restock_date=previous_restock_date,
        options=options,
        choice=case.choice if case.choice in CHOICES else None,
        default_choice=default,
        deadline=case.choice_deadline_at,
        choice_link=choice_links.choice_url(shop.id, case.id),
        cancel_link=choice_links.cancel_url(shop.id, case.id),
        rating_links=links.rating_urls(shop.id, case.id),
        compensation=granted_coupon(case) if kind is messages.MessageKind.COMPENSATION_COUPON else None,
    )


def granted_coupon(case: StockoutCase) -> messages.Compensation | None:
    """The latest coupon actually granted on the case, with its code."""
    row = db.session().scalars(
        select(Compensation)
        .where(Compensation.shop_id == case.shop_id, Compensation.case_id == case.id)
        .where(Compensation.coupon_code.is_not(None))
        .order_by(Compensation.id.desc())
    ).first()
    if row is None:
        return None
    free_shipping = row.kind == "free_shipping"
    return messages.Compensation(
        code=row.coupon_code, amount=None if free_shipping else row.amount, ends_on=row.ends_on,
        free_shipping=free_shipping,
    )


def for_recipient(facts: messages.MessageFacts, shop_id: int, channel: str, address: str, locale: str):
    """The facts with this recipient's own unsubscribe link."""
    return dataclasses.replace(facts, unsubscribe_link=links.unsubscribe_url(shop_id, channel, address, locale))


def template_overrides(shop_id: int, kind: str, locale: str) -> dict[tuple[str, str, str], str]:
    """The merchant's edits of this kind in this language, as compose() takes them."""
    rows = db.session().scalars(
        select(MessageTemplate).where(
            MessageTemplate.shop_id == shop_id, MessageTemplate.kind == str(kind), MessageTemplate.locale == locale
        )
    )
    return {(row.kind, row.locale, row.part): row.source for row in rows}
