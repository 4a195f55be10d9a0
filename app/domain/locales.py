"""Which of our languages a customer reads, and dates and money written the way they read them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time
from babel.numbers import format_currency

SUPPORTED = ("en", "zh-CN", "zh-TW")
DEFAULT_LOCALE = "en"

# Babel's names for ours; the script subtag matters because zh-TW must come out in Traditional characters.
BABEL_LOCALES = {"en": "en", "zh-CN": "zh_Hans_CN", "zh-TW": "zh_Hant_TW"}

_SIMPLIFIED = {"zh", "zh-cn", "zh-sg", "zh-hans", "zh-my"}
_TRADITIONAL = {"zh-tw", "zh-hk", "zh-mo", "zh-hant"}


def _match(tag: str | None) -> str | None:
    """Our locale for one BCP 47 / POSIX tag, or None when we do not write that language."""
    if not tag or not isinstance(tag, str):
        return None
    parts = tag.strip().replace("_", "-").split(".")[0].lower().split("-")
    if parts[0] == "en":
        return "en"
    if parts[0] != "zh":
        return None
    # Script beats region: zh-Hant-CN is Traditional, zh-Hans-HK is Simplified.
    if "hant" in parts:
        return "zh-TW"
    if "hans" in parts:
        return "zh-CN"
    region = "-".join(parts[:2])
    if region in _TRADITIONAL:
        return "zh-TW"
    if region in _SIMPLIFIED:
        return "zh-CN"
    return "zh-CN"


def resolve_locale(customer_locale: str | None, shop_locale: str | None) -> str:
    """The customer's language if we write it, else the shop's, else English."""
    return _match(customer_locale) or _match(shop_locale) or DEFAULT_LOCALE


def babel_locale(locale: str) -> str:
    """Babel's name for one of SUPPORTED."""
    return BABEL_LOCALES[locale]


def format_day(day: date, locale: str) -> str:
    """A day without the year, as the locale writes it ("Nov 28", "11月28日")."""
    return format_skeleton("MMMd", day, locale=babel_locale(locale))


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """An amount in the shop's currency as the locale writes it ("CN¥128.00", "¥128.00")."""
    if isinstance(amount, float):
        raise TypeError("money must be a Decimal, never a float")
    return format_currency(Decimal(amount), currency, locale=babel_locale(locale))


def format_moment(moment: datetime, timezone: str, locale: str) -> str:
    """A deadline in the shop's time zone with weekday and time ("Sun, Nov 30, 6:00 PM")."""
    if moment.tzinfo is None:
        raise ValueError("deadlines must be timezone-aware")
    local = moment.astimezone(ZoneInfo(timezone))
    day = format_skeleton("MMMEd", local, locale=babel_locale(locale))
    clock = format_time(local, "short", locale=babel_locale(locale))
    separator = ", " if locale == "en" else " "
    return f"{day}{separator}{clock}"
