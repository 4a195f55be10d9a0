"""The admin's words in the merchant's language, and dates, durations and money as that language writes them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import parse_pattern

from app.admin.catalogue import CATALOGUES
from app.domain.locales import SUPPORTED, babel_locale, format_money, resolve_locale

LOCALE_NAMES = {"en": "English", "zh-CN": "简体中文", "zh-TW": "繁體中文"}


def admin_locale(chosen: str | None, shop_locale: str | None) -> str:
    """The switcher's choice when the merchant made one, else the shop's own language, else English."""
    return chosen if chosen in SUPPORTED else resolve_locale(None, shop_locale)


def t(locale: str, key: str, **params: object) -> str:
    """One catalogue string, filled in (literal braces are doubled); a missing key is a bug, so it raises."""
    return CATALOGUES[locale][key].format(**params)


def label(locale: str, group: str, code: str | None) -> str:
    """A code (a status, a reason) in words; a code we have no words for is shown as it is stored."""
    if code is None:
        return "—"
    return CATALOGUES[locale].get(f"{group}.{code}", code)


def local_time(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone or "UTC"))


def moment(value: datetime | None, locale: str, timezone: str) -> str:
    """A moment in the shop's time zone, short and numeric."""
    if value is None:
        return "—"
    return format_datetime(local_time(value, timezone), "short", locale=babel_locale(locale))


def day(value: date | None, locale: str) -> str:
    if value is None:
        return "—"
    return format_date(value, "medium", locale=babel_locale(locale))


def duration(span: timedelta | None, locale: str) -> str:
    """A span as days, hours and minutes ("2 h 15 min", "2 小时 15 分钟"); negative spans keep their sign."""
    if span is None:
        return "—"
    sign = "-" if span.total_seconds() < 0 else ""
    minutes = int(abs(span.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    pieces = []
    if days:
        pieces.append(t(locale, "unit.days", n=days))
    if hours:
        pieces.append(t(locale, "unit.hours", n=hours))
    if minutes or not pieces:
        pieces.append(t(locale, "unit.minutes", n=minutes))
    return sign + " ".join(pieces[:2])


@lru_cache(maxsize=32)
def _number_format(locale: str, pattern: str):
    """Babel's parsed pattern and locale, kept: parsing them again for every table cell is most of the cost."""
    return parse_pattern(pattern), Locale.parse(babel_locale(locale))


def number(value: Decimal | int | None, locale: str, digits: int = 0) -> str:
    if value is None:
        return "—"
    pattern, babel = _number_format(locale, "#,##0" + ("." + "0" * digits if digits else ""))
    return pattern.apply(Decimal(value), babel)


def percent(value: Decimal | None, locale: str) -> str:
    """A ratio (0.125) as a percentage with one decimal ("12.5%")."""
    if value is None:
        return "—"
    pattern, babel = _number_format(locale, "#,##0.0%")
    return pattern.apply(Decimal(value), babel)


def money(amount: Decimal | None, currency: str, locale: str) -> str:
    if amount is None:
        return "—"
    return format_money(Decimal(amount), currency, locale)
