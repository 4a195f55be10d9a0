"""Which of our languages a customer reads; dates, money and the shared phrases written as they read them."""

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

_TRADITIONAL_REGIONS = {"tw", "hk", "mo"}


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
    # Without a script, Taiwan, Hong Kong and Macau read Traditional; everyone else (CN, SG, MY, bare zh) Simplified.
    return "zh-TW" if _TRADITIONAL_REGIONS & set(parts[1:]) else "zh-CN"


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


def format_coupon_value(amount: str | None, percent: Decimal | None, free_shipping: bool, locale: str) -> str:
    """What a coupon is worth, to follow "a … coupon" ("$10.00", "15%-off", "8.5折", "free-shipping")."""
    if amount:
        return amount
    if percent is not None:
        if locale == "en":
            return f"{_plain(percent)}%-off"
        return f"{_plain((100 - Decimal(percent)) / 10)}折"
    if free_shipping:
        return {"en": "free-shipping", "zh-CN": "免运费", "zh-TW": "免運費"}[locale]
    raise ValueError("a coupon needs an amount, a percentage or free shipping")


def _plain(number: Decimal) -> str:
    return format(Decimal(number).normalize(), "f")


def format_moment(moment: datetime, timezone: str, locale: str) -> str:
    """A deadline in the shop's time zone with weekday and time ("Sun, Nov 30, 6:00 PM")."""
    if moment.tzinfo is None:
        raise ValueError("deadlines must be timezone-aware")
    local = moment.astimezone(ZoneInfo(timezone))
    day = format_skeleton("MMMEd", local, locale=babel_locale(locale))
    clock = format_time(local, "short", locale=babel_locale(locale))
    separator = ", " if locale == "en" else " "
    return f"{day}{separator}{clock}"


# Why an item is late, in each language; shown only when the merchant allows it.
REASONS = {
    "supplier_delay": {
        "en": "our supplier's shipment to us is running late",
        "zh-CN": "供应商给我们的发货延误了",
        "zh-TW": "供應商給我們的出貨延誤了",
    },
    "oversold": {
        "en": "our stock count was wrong and we sold more than we had; that mistake is ours",
        "zh-CN": "我们的库存数字出了错，卖出的数量超过了实际库存，这是我们的失误",
        "zh-TW": "我們的庫存數字出了錯，賣出的數量超過實際庫存，這是我們的疏失",
    },
    "damaged": {
        "en": "the units we had set aside for you were damaged, and we won't send you a damaged one",
        "zh-CN": "为您预留的商品有损坏，我们不会把有损坏的商品寄给您",
        "zh-TW": "為您預留的商品有損壞，我們不會把有損壞的商品寄給您",
    },
    "production_delay": {
        "en": "the maker needs more time to finish this batch",
        "zh-CN": "这一批商品的制作需要更多时间",
        "zh-TW": "這一批商品的製作需要更多時間",
    },
    "customs_delay": {
        "en": "the shipment is held up in customs",
        "zh-CN": "这批货在海关清关时被耽搁了",
        "zh-TW": "這批貨在海關通關時被耽擱了",
    },
    "high_demand": {
        "en": "far more people ordered it than we planned for",
        "zh-CN": "订购的人远远超出了我们的预期",
        "zh-TW": "訂購的人遠遠超出了我們的預期",
    },
    "quality_hold": {
        "en": "the latest batch didn't pass our quality check, so we sent it back",
        "zh-CN": "最新一批没有通过我们的质量检查，已经退回",
        "zh-TW": "最新一批沒有通過我們的品質檢查，已經退回",
    },
}

NO_DATE_TEXT = {
    "en": "We don't have a confirmed restock date yet, and we won't guess one. "
    "We'll write to you the day our supplier confirms it.",
    "zh-CN": "供应商目前还没有给出确定的到货日期，我们不想随口估计。日期一经确认，我们当天就会通知您。",
    "zh-TW": "供應商目前還沒有提供確定的到貨日期，我們不想隨口估計。日期一經確認，我們當天就會通知您。",
}
