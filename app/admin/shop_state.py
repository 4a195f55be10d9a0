"""A shop's settings row (or the recommended defaults), its admin language, and installing it on first load."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import render_template
from sqlalchemy import select

from app import db
from app.admin.i18n import admin_locale
from app.admin.session_token import SessionToken
from app.models import Shop, ShopSettings
from app.shopify.install import install_from_session_token


def default_values() -> dict[str, object]:
    """The recommended value of every setting, read from the column defaults."""
    values = {}
    for column in ShopSettings.__table__.columns:
        if column.name in {"id", "shop_id", "created_at", "updated_at"}:
            continue
        default = column.default.arg if column.default is not None and column.default.is_scalar else None
        values[column.key] = default
    return values


def settings_for(shop: Shop) -> ShopSettings:
    """The shop's saved settings, or unsaved defaults when it never saved any."""
    row = db.session().scalar(select(ShopSettings).where(ShopSettings.shop_id == shop.id))
    return row if row is not None else ShopSettings(shop_id=shop.id, **default_values())


def settings_row(shop: Shop) -> ShopSettings:
    """The settings row to write to, added to the session when the shop has none yet."""
    row = settings_for(shop)
    if row.id is None:
        db.session().add(row)
    return row


def locale_for(shop: Shop, shop_settings: ShopSettings) -> str:
    return admin_locale(shop_settings.admin_locale, shop.locale)


def has_offline_token(shop: Shop | None, now: datetime) -> bool:
    """Whether the app can still call Shopify for the shop: installed, and a token that works or can be refreshed."""
    if shop is None or not shop.is_installed or shop.access_token_encrypted is None:
        return False
    if shop.access_token_expires_at is None or shop.access_token_expires_at > now:
        return True
    return shop.refresh_token_encrypted is not None and (
        shop.refresh_token_expires_at is None or shop.refresh_token_expires_at > now
    )


def install(session: SessionToken) -> Shop:
    """Install (or reinstall) by exchanging the page's session token for an offline token; raises if refused."""
    return install_from_session_token(session.raw)


def not_installed_page(domain: str, reason: str) -> str:
    return render_template("admin/not_installed.html", shop_domain=domain, reason=reason)


def shop_today(shop: Shop, now: datetime) -> date:
    return now.astimezone(ZoneInfo(shop.timezone or "UTC")).date()
