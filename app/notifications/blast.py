"""Back-in-stock rows for many sign-ups at once: composed once per language, personalised by the unsubscribe link."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from app import db
from app.channels.base import PermanentDeliveryError
from app.domain import messages
from app.domain.locales import resolve_locale
from app.models import BackInStockSubscription, Notification, ProductState, Shop, VariantStock
from app.notifications import facts, links, policy, records
from app.notifications.planning import recipient, row_values

KIND = messages.MessageKind.BACK_IN_STOCK
INSERT_CHUNK = 1000
# Stands in for each recipient's unsubscribe token: URL-safe, so HTML escaping leaves it as it is.
_TOKEN_MARK = "UNSUBSCRIBETOKENMARK"


def product_title(shop_id: int, variant_gid: str, product_gid: str | None) -> str:
    """The name customers signed up for, as the catalogue knows it."""
    session = db.session()
    title = session.scalars(
        select(VariantStock.title).where(VariantStock.shop_id == shop_id, VariantStock.variant_gid == variant_gid)
    ).first()
    if not title and product_gid:
        title = session.scalars(
            select(ProductState.title).where(ProductState.shop_id == shop_id, ProductState.product_gid == product_gid)
        ).first()
    return title or ""


def default_product_url(shop: Shop, variant_gid: str) -> str:
    """The storefront's variant address, which Shopify redirects to the product page with that variant chosen."""
    return f"https://{shop.domain}/variants/{variant_gid.rsplit('/', 1)[-1]}"


def _composed(shop: Shop, locale: str, title: str, product_url: str) -> messages.ComposedMessage:
    """One composition per product and language, with a marked unsubscribe link filled in per recipient."""
    settings = facts.settings_of(shop)
    base = messages.MessageFacts(
        shop=facts.message_shop(shop, settings),
        items=(messages.Item(title=title),),
        product_link=product_url,
        unsubscribe_link=links.unsubscribe_link(_TOKEN_MARK),
    )
    return messages.compose(KIND, locale, base, overrides=facts.template_overrides(shop.id, KIND, locale))


def _personal(message: messages.ComposedMessage, token: str) -> messages.ComposedMessage:
    return messages.ComposedMessage(*(part.replace(_TOKEN_MARK, token) for part in
                                      (message.subject, message.text, message.html, message.sms)))


def plan(
    shop: Shop,
    subscriptions: Sequence[BackInStockSubscription],
    now: datetime,
    *,
    wave: int | str,
    product_url: str | None = None,
) -> list[int]:
    """Rows for each sign-up and channel it gave, keyed by the wave; returns every row id, old and new, in order."""
    settings = facts.settings_of(shop)
    compositions: dict[tuple[str, str], messages.ComposedMessage] = {}
    ids: list[int] = []
    # A slice at a time, so the memory held does not grow with the number of sign-ups.
    for start in range(0, len(subscriptions), INSERT_CHUNK):
        values = []
        for subscription in subscriptions[start:start + INSERT_CHUNK]:
            locale = resolve_locale(subscription.locale, shop.locale)
            cache_key = (subscription.variant_gid, locale)
            if cache_key not in compositions:
                title = product_title(shop.id, subscription.variant_gid, subscription.product_gid)
                url = product_url or default_product_url(shop, subscription.variant_gid)
                compositions[cache_key] = _composed(shop, locale, title, url)
            values += _rows_for(shop, settings, subscription, locale, compositions[cache_key], now, wave)
        ids += _store(values)
    return ids


def _rows_for(shop, settings, subscription, locale, composed, now, wave) -> list[dict]:
    """One row per channel the sign-up gave: personalised, or failed with the reason its address is unusable."""
    pairs = policy.channels_for(email=subscription.email, phone=subscription.phone,
                                email_enabled=settings.email_enabled, sms_enabled=settings.sms_enabled)
    values = []
    for channel, address in pairs:
        key = policy.idempotency_key(shop.id, KIND, channel, subscription_id=subscription.id, sequence=wave)
        common = dict(shop=shop, settings=settings, kind=KIND, channel=channel, key=key, locale=locale, now=now,
                      subscription_id=subscription.id)
        try:
            to = recipient(channel, address)
        except PermanentDeliveryError as error:
            values.append(row_values(address=address, message=None, error=error.reason, **common))
            continue
        message = _personal(composed, links.unsubscribe_token(shop.id, channel, to, locale))
        values.append(row_values(address=to, message=message, **common))
    return values


def _store(values: list[dict]) -> list[int]:
    """Insert the new rows, commit, and return the ids of all of them in order."""
    session = db.session()
    records.insert_or_ignore(session, values)
    session.commit()
    keys = [value["idempotency_key"] for value in values]
    if not keys:
        return []
    found = dict(session.execute(
        select(Notification.idempotency_key, Notification.id)
        .where(records.among(session, Notification.idempotency_key, keys))
    ).all())
    return [found[key] for key in keys]
