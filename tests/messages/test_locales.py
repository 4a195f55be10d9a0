"""Which language a customer reads, and dates and money as they read them."""

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from app.domain.locales import (
    SUPPORTED,
    format_coupon_value,
    format_day,
    format_moment,
    format_money,
    resolve_locale,
)


@pytest.mark.parametrize(
    ("customer", "shop", "expected"),
    [
        ("zh-CN", "en", "zh-CN"),
        ("zh-Hans", "en", "zh-CN"),
        ("zh-SG", None, "zh-CN"),
        ("zh_CN", "en", "zh-CN"),
        ("zh", "en", "zh-CN"),
        ("zh-TW", "en", "zh-TW"),
        ("zh-Hant", "en", "zh-TW"),
        ("zh-HK", "en", "zh-TW"),
        ("zh-MO", "zh-CN", "zh-TW"),
        ("zh-Hant-CN", None, "zh-TW"),
        ("zh-Hans-HK", None, "zh-CN"),
        ("en", "zh-CN", "en"),
        ("en-GB", "zh-TW", "en"),
        ("EN-us", None, "en"),
        ("fr", "zh-TW", "zh-TW"),
        ("ja-JP", "zh-HK", "zh-TW"),
        (None, "zh-CN", "zh-CN"),
        ("", "", "en"),
        ("fr", "de", "en"),
        (None, None, "en"),
    ],
)
def test_resolve_locale(customer, shop, expected):
    assert resolve_locale(customer, shop) == expected
    assert resolve_locale(customer, shop) in SUPPORTED


@pytest.mark.parametrize(("locale", "expected"), [("en", "Nov 28"), ("zh-CN", "11月28日"), ("zh-TW", "11月28日")])
def test_format_day(locale, expected):
    assert format_day(date(2026, 11, 28), locale) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "expected"),
    [
        ("128", "CNY", "zh-CN", "¥128.00"),
        ("128", "CNY", "en", "CN¥128.00"),
        ("128", "USD", "en", "$128.00"),
        ("128", "USD", "zh-CN", "US$128.00"),
        ("1280.5", "TWD", "zh-TW", "$1,280.50"),
        ("128", "JPY", "en", "¥128"),
    ],
)
def test_format_money(amount, currency, locale, expected):
    assert format_money(Decimal(amount), currency, locale) == expected


def test_money_is_never_a_float():
    with pytest.raises(TypeError):
        format_money(12.5, "USD", "en")


def test_deadline_is_shown_in_the_shop_time_zone():
    moment = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
    assert format_moment(moment, "Asia/Shanghai", "zh-CN") == "11月30日周一 18:00"
    assert format_moment(moment, "Asia/Taipei", "zh-TW").startswith("11月30日 週一")
    assert format_moment(moment, "America/New_York", "en").replace("\u202f", " ") == "Mon, Nov 30, 5:00 AM"
    with pytest.raises(ValueError):
        format_moment(datetime(2026, 11, 30, 10, 0), "UTC", "en")


@pytest.mark.parametrize(
    ("amount", "percent", "free_shipping", "locale", "expected"),
    [
        ("$10.00", None, False, "en", "$10.00"),
        (None, Decimal(15), False, "en", "15%-off"),
        (None, Decimal(15), False, "zh-CN", "8.5折"),
        (None, Decimal(20), False, "zh-TW", "8折"),
        (None, None, True, "zh-CN", "免运费"),
        (None, None, True, "zh-TW", "免運費"),
        (None, None, True, "en", "free-shipping"),
    ],
)
def test_coupon_value(amount, percent, free_shipping, locale, expected):
    assert format_coupon_value(amount, percent, free_shipping, locale) == expected
