"""Form checks in isolation: each field's limits, cross-field rules, and refusals written in the merchant's words."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from app.admin.catalogue import CATALOGUES
from app.admin.compensation_form import RULE_ERRORS, parse_rules
from app.admin.forms import parse_section
from app.admin.i18n import duration, t
from app.admin.restock_form import explain_row, parse_restock
from app.admin.template_editor import explain
from app.domain.compensation import Option


def test_a_valid_catalogue_section_parses_to_typed_values():
    values, errors = parse_section("catalogue", {
        "short_days": "3", "presale_days": "10", "delist_mode": "draft", "grace_minutes": "0",
        "safety_stock": "2", "presale_label_format": "【预售 {date} 发货】{title}",
    })
    assert errors == {}
    assert values == {"short_days": 3, "presale_days": 10, "delist_mode": "draft", "grace_minutes": 0,
                      "safety_stock": 2, "presale_label_format": "【预售 {date} 发货】{title}"}


@pytest.mark.parametrize("form, field, key", [
    ({"short_days": "-1", "presale_days": "7"}, "short_days", "err.whole_range"),
    ({"short_days": "3.5", "presale_days": "7"}, "short_days", "err.whole_range"),
    ({"short_days": "9", "presale_days": "7"}, "presale_days", "err.presale_before_short"),
    ({"short_days": "1", "presale_days": "7", "delist_mode": "burn"}, "delist_mode", "err.choice"),
    ({"short_days": "1", "presale_days": "7", "presale_label_format": "预售"}, "presale_label_format",
     "err.label_format"),
])
def test_bad_catalogue_values_are_refused_by_field_and_nothing_is_returned(form, field, key):
    form = {"delist_mode": "unpublish", "grace_minutes": "0", "safety_stock": "0", **form}
    values, errors = parse_section("catalogue", form)
    assert values == {}
    assert errors[field][0] == key


def test_checkboxes_missing_from_a_form_are_off_but_not_both_channels():
    values, errors = parse_section("channels", {"email_enabled": "on", "sms_provider": "twilio"})
    assert errors == {} and values["sms_enabled"] is False and values["sender_name"] is None
    _, errors = parse_section("channels", {"sms_provider": "twilio", "reply_to": "not-an-address"})
    assert errors["email_enabled"][0] == "err.one_channel" and errors["reply_to"][0] == "err.email"


def test_restock_multiplier_is_a_decimal_with_two_places():
    values, _ = parse_section("restock", {"restock_min_quantity": "1", "restock_batch_multiplier": "1.5",
                                          "restock_batch_interval_minutes": "30"})
    assert values["restock_batch_multiplier"] == Decimal("1.5")
    _, errors = parse_section("restock", {"restock_min_quantity": "1", "restock_batch_multiplier": "1.555",
                                          "restock_batch_interval_minutes": "30"})
    assert errors["restock_batch_multiplier"][0] == "err.decimal_range"


def rule_form(**fields) -> dict:
    base = {}
    for option in ("wait", "substitute", "refund"):
        base.update({f"{option}.kind": "percent_of_order", f"{option}.value": "5", f"{option}.cap": "30",
                     f"{option}.validity_days": "30"})
    base.update(fields)
    return base


def test_three_valid_rules_parse_together():
    rules, preset_id, errors = parse_rules(rule_form(preset_id="platform_standard"))
    assert errors == {} and preset_id == "platform_standard"
    assert rules[Option.WAIT].cap == Decimal("30")


def test_rule_errors_are_keyed_per_option_and_field_and_refuse_every_rule():
    rules, _, errors = parse_rules(rule_form(**{"wait.value": "150", "refund.floor": "40", "refund.cap": "10",
                                                "substitute.priority_shipping": "on"}))
    assert rules == {}
    assert errors == {
        "wait.value": ("err.rule.percent_max", {}), "refund.cap": ("err.rule.cap_floor", {}),
        "substitute.priority_shipping": ("err.rule.wait_only", {}),
    }


def test_every_rule_error_has_words_in_every_language():
    for key in set(RULE_ERRORS.values()):
        for locale in CATALOGUES:
            assert t(locale, key)


@pytest.mark.parametrize("reason, locale, expected", [
    ("must apologise to the customer (for example “We're sorry” / “非常抱歉”)", "zh-CN", "必须向顾客致歉。"),
    ("is 3 SMS segments on the sample (150 UCS-2 characters); keep it to 2", "zh-TW",
     "範例訂單下為 3 則簡訊（150 個 UCS-2 字元），請控制在 2 則以內。"),
    ("must show the order name ({{ order_name }})", "en", "Must show the order name ({{ order_name }})."),
    ("line 3: unexpected '}'", "zh-CN", "第 3 行：模板无法解析（unexpected '}'）。"),
    ("something new the checker says", "zh-CN", "无法保存（something new the checker says）。"),
])
def test_template_check_reasons_are_written_in_the_merchants_language(reason, locale, expected):
    assert explain(reason, locale) == expected


def test_restock_form_checks_products_dates_and_reasons():
    entry, errors = parse_restock({"product_ids": ["3", "4", "3"], "restock_date": "2026-12-20",
                                   "reason": "supplier_shortage"}, date(2026, 11, 24))
    assert errors == {} and entry.product_ids == (3, 4) and entry.restock_date == date(2026, 12, 20)
    _, errors = parse_restock({"product_ids": [], "restock_date": "2026-11-01", "lead_time_days": "x",
                               "reason": "aliens"}, date(2026, 11, 24))
    assert {field: key for field, (key, _) in errors.items()} == {
        "product_ids": "err.no_products", "restock_date": "err.date_past", "lead_time_days": "err.whole_range",
        "reason": "err.choice",
    }


def test_csv_row_problems_are_explained_with_the_value_quoted():
    assert explain_row("SKU 'TEA-1' matches no known variant", "zh-CN") == "货号“TEA-1”没有对应的款式。"
    assert explain_row("restock_date '31/12' is not a date like 2026-12-31", "en").startswith("“31/12” is not a date")


def test_durations_are_written_with_the_languages_units():
    from datetime import timedelta

    assert duration(timedelta(hours=2, minutes=15), "zh-CN") == "2 小时 15 分钟"
    assert duration(timedelta(days=1, hours=3, minutes=5), "en") == "1 d 3 h"
    assert duration(-timedelta(minutes=5), "zh-TW") == "-5 分鐘"


def test_catalogues_have_the_same_keys_and_placeholders():
    english = CATALOGUES["en"]
    for locale in ("zh-CN", "zh-TW"):
        other = CATALOGUES[locale]
        assert set(other) == set(english), locale
        for key, text in english.items():
            assert set(re.findall(r"(?<!\{)\{(\w+)", text)) == set(re.findall(r"(?<!\{)\{(\w+)", other[key])), key


def test_chinese_catalogues_hold_no_english_words():
    # Product and file-format names, CSV column names and template variables are code, not English prose.
    allowed = {"Shopify", "CSV", "SMS", "Twilio", "MB", "sku", "variant_id", "product_id", "vendor", "restock_date",
               "lead_time_days", "reason", "name", "example", "com", "title", "date", "no_date_text", "first_item",
               "shop_email", "shop_phone", "order_name", "shop_name", "choice_link", "cancel_link", "unsubscribe_link"}
    for locale in ("zh-CN", "zh-TW"):
        for key, text in CATALOGUES[locale].items():
            prose = re.sub(r"(?<!\{)\{\w+(:[^}]*)?\}(?!\})", "", text)
            words = set(re.findall(r"[A-Za-z_]{2,}", prose)) - allowed
            assert not words, (locale, key, words)
