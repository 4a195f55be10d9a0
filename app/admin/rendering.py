"""Rendering an admin page: the shop's language and formats, links that keep the embedding, the shared frame."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from urllib.parse import urlencode

from flask import current_app, g, render_template, request, url_for

from app.admin import i18n
from app.admin.auth import in_dev_mode

# Query parameters Shopify puts on the app URL that every link inside the app keeps.
EMBEDDING_PARAMS = ("shop", "host", "embedded", "locale")
NAV = (
    ("admin.overview", "nav.overview"),
    ("admin.cases", "nav.cases"),
    ("admin.products", "nav.products"),
    ("admin.reports", "nav.reports"),
    ("admin.settings", "nav.settings"),
)


def link(endpoint: str, **values) -> str:
    """A URL inside the app that keeps shop and host (never the session token, which expires in a minute)."""
    kept = {key: request.args[key] for key in EMBEDDING_PARAMS if request.args.get(key)}
    query = {key: value for key, value in values.items() if value not in (None, "")}
    path_args = {key: query.pop(key) for key in list(query) if key.endswith("_id")}
    url = url_for(endpoint, **path_args)
    params = {**kept, **query}
    return url + (f"?{urlencode(params)}" if params else "")


@dataclass(frozen=True)
class Formats:
    """Values written the way the merchant's language writes them, times in the shop's time zone."""

    locale: str
    timezone: str
    currency: str

    def moment(self, value: datetime | None) -> str:
        return i18n.moment(value, self.locale, self.timezone)

    def day(self, value) -> str:
        return i18n.day(value, self.locale)

    def duration(self, value: timedelta | None) -> str:
        return i18n.duration(value, self.locale)

    def number(self, value, digits: int = 0) -> str:
        return i18n.number(value, self.locale, digits)

    def percent(self, value: Decimal | None) -> str:
        return i18n.percent(value, self.locale)

    def money(self, amount: Decimal | None, currency: str | None = None) -> str:
        return i18n.money(amount, currency or self.currency, self.locale)

    def label(self, group: str, code: str | None) -> str:
        return i18n.label(self.locale, group, code)


def formats() -> Formats:
    return Formats(g.locale, g.shop.timezone or "UTC", g.shop.currency or "USD")


def render_page(template: str, active: str, title_key: str, **context) -> str:
    locale = g.locale
    translate = partial(i18n.t, locale)
    return render_template(
        template,
        locale=locale,
        t=translate,
        fmt=formats(),
        link=link,
        nav=NAV,
        active=active,
        title=translate(title_key),
        shop=g.shop,
        client_id=current_app.config["SETTINGS"].shopify_api_key,
        dev_mode=in_dev_mode(),
        locales=i18n.LOCALE_NAMES,
        **context,
    )
