"""Compensation rules: each kind, floors, caps, minimums, rounding per currency, presets, form checks, codes."""

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.compensation import (
    PRESETS,
    CompensationKind as K,
    CompensationRule,
    Option,
    OrderFacts,
    PriceDifference,
    coupon_code,
    grant_for,
    preset,
    sample_coupon,
    validate_rule,
)
from app.domain.money import CurrencyMismatch, Money, minor_units, quantize

TODAY = date(2026, 11, 1)


def order(subtotal, affected, currency="CNY"):
    return OrderFacts(Money(subtotal, currency), Money(affected, currency))


def rule(kind, value="0", floor=None, cap=None, **extra):
    as_decimal = lambda v: None if v is None else Decimal(v)  # noqa: E731
    return CompensationRule(K(kind), Decimal(value), as_decimal(floor), as_decimal(cap), **extra)


@pytest.mark.parametrize(
    ("compensation", "facts", "option", "refund", "expected"),
    [
        (rule("percent_of_order", "5"), order("299.90", "99.90"), "wait", None, "15.00 CNY"),
        (rule("percent_of_order", "5", cap="30"), order("1000", "100"), "wait", None, "30.00 CNY"),
        (rule("percent_of_order", "10", floor="5", cap="100"), order("20", "20"), "substitute", None, "5.00 CNY"),
        (rule("percent_of_order", "10", floor="5", cap="100"), order("2000", "20"), "substitute", None, "100.00 CNY"),
        (rule("percent_of_order", "10", floor="5", cap="100"), order("299.90", "20"), "refund", None, "29.99 CNY"),
        (rule("percent_of_affected_lines", "8"), order("299.90", "99.90"), "wait", None, "7.99 CNY"),
        (rule("percent_of_refund", "8"), order("299.90", "99.90"), "refund", "50.05", "4.00 CNY"),
        (rule("percent_of_refund", "8"), order("299.90", "99.90"), "refund", "50.07", "4.01 CNY"),
        (rule("fixed_amount", "20"), order("299.90", "99.90"), "wait", None, "20.00 CNY"),
        (rule("fixed_amount", "20", cap="15"), order("299.90", "99.90"), "wait", None, "15.00 CNY"),
        (rule("percent_of_order", "5"), order("1250", "500", "JPY"), "wait", None, "63 JPY"),
        (rule("percent_of_order", "5"), order("1230", "500", "JPY"), "wait", None, "62 JPY"),
        (rule("percent_of_affected_lines", "3.3"), order("9999", "1000", "KRW"), "wait", None, "33 KRW"),
        (rule("fixed_amount", "500"), order("1250", "500", "JPY"), "wait", None, "500 JPY"),
        (rule("percent_of_order", "5"), order("10.10", "10.10", "USD"), "wait", None, "0.51 USD"),
        (rule("percent_of_order", "5", cap="0.50"), order("10.10", "10.10", "USD"), "wait", None, "0.50 USD"),
    ],
)
def test_coupon_amount_per_kind_rounded_to_the_currency(compensation, facts, option, refund, expected):
    refund_amount = Money(refund, facts.currency) if refund else None
    grant = grant_for(compensation, facts, option, refund_amount=refund_amount, today=TODAY)
    assert f"{grant.amount.amount} {grant.amount.currency}" == expected
    assert grant.kind == compensation.kind
    assert grant.ends_on == date(2026, 12, 1)
    assert grant.has_coupon and not grant.free_shipping


def test_percent_is_reported_for_messages():
    refund = Money("40", "CNY")
    grant = grant_for(
        rule("percent_of_refund", "8.50"), order("100", "50"), "refund", refund_amount=refund, today=TODAY
    )
    assert grant.percent == Decimal("8.50")
    assert grant.message_pieces("en")["percent"] == "8.5"


def test_free_shipping_has_no_money_amount():
    grant = grant_for(rule("free_shipping"), order("100", "50"), "wait", today=TODAY)
    assert (grant.kind, grant.amount, grant.free_shipping, grant.has_coupon) == (K.FREE_SHIPPING, None, True, True)


@pytest.mark.parametrize("option", list(Option))
def test_none_grants_nothing(option):
    assert grant_for(rule("none"), order("100", "50"), option, today=TODAY) is None


def test_zero_base_without_floor_grants_nothing():
    assert grant_for(rule("percent_of_affected_lines", "8"), order("100", "0"), "wait", today=TODAY) is None


def test_floor_applies_even_to_a_zero_base():
    grant = grant_for(rule("percent_of_affected_lines", "8", floor="5"), order("100", "0"), "wait", today=TODAY)
    assert grant.amount == Money("5.00", "CNY")


@pytest.mark.parametrize(("option", "priority"), [("wait", True), ("substitute", False), ("refund", False)])
def test_priority_shipping_is_for_waiting_only(option, priority):
    grant = grant_for(rule("fixed_amount", "20", priority_shipping=True), order("100", "50"), option, today=TODAY)
    assert grant.priority_shipping is priority


def test_priority_shipping_alone_is_a_grant_without_coupon():
    grant = grant_for(rule("none", priority_shipping=True), order("100", "50"), "wait", today=TODAY)
    assert (grant.kind, grant.has_coupon, grant.priority_shipping, grant.ends_on) == (K.NONE, False, True, None)


def test_minimum_order_and_validity():
    compensation = rule("fixed_amount", "20", minimum_order=Decimal("199.5"), validity_days=7)
    grant = grant_for(compensation, order("100", "50"), "wait", today=TODAY)
    assert grant.minimum_order == Money("199.50", "CNY")
    assert str(grant.minimum_order.amount) == "199.50"
    assert grant.ends_on == date(2026, 11, 8)


def test_minimum_order_in_yen_has_no_decimals():
    compensation = rule("fixed_amount", "300", minimum_order=Decimal("3000"))
    grant = grant_for(compensation, order("1250", "500", "JPY"), "wait", today=TODAY)
    assert str(grant.minimum_order.amount) == "3000"


def test_percent_of_refund_needs_the_refund_option_and_amount():
    with pytest.raises(ValueError, match="refund option"):
        grant_for(rule("percent_of_refund", "8"), order("100", "50"), "wait", today=TODAY)
    with pytest.raises(ValueError, match="refund amount"):
        grant_for(rule("percent_of_refund", "8"), order("100", "50"), "refund", today=TODAY)


def test_refund_in_another_currency_is_refused():
    with pytest.raises(CurrencyMismatch):
        grant_for(
            rule("percent_of_refund", "8"), order("100", "50"), "refund", refund_amount=Money("5", "USD"), today=TODAY
        )
    with pytest.raises(CurrencyMismatch):
        OrderFacts(Money("1", "CNY"), Money("1", "USD"))


@pytest.mark.parametrize(
    ("difference", "cover_up_to", "covered", "pays", "refund"),
    [
        ("25", "10", "10.00", "15.00", "0.00"),
        ("25", "30", "25.00", "0.00", "0.00"),
        ("25", None, "0.00", "25.00", "0.00"),
        ("-12.5", "10", "0.00", "0.00", "12.50"),
        ("0", "10", "0.00", "0.00", "0.00"),
    ],
)
def test_substitute_price_difference_is_settled(difference, cover_up_to, covered, pays, refund):
    compensation = rule("none", cover_price_difference_up_to=None if cover_up_to is None else Decimal(cover_up_to))
    price_difference = Money(difference, "CNY")
    grant = grant_for(
        compensation, order("100", "50"), "substitute", substitute_price_difference=price_difference, today=TODAY
    )
    assert grant.price_difference == PriceDifference(Money(covered, "CNY"), Money(pays, "CNY"), Money(refund, "CNY"))
    settled = grant.price_difference
    assert [str(settled.covered.amount), str(settled.customer_pays.amount), str(settled.refund.amount)] == [
        covered, pays, refund,
    ]
    assert not grant.has_coupon


def test_substitute_settlement_comes_with_the_coupon():
    compensation = rule("percent_of_affected_lines", "8", cover_price_difference_up_to=Decimal("5"))
    dearer = Money("8", "CNY")
    grant = grant_for(compensation, order("100", "50"), "substitute", substitute_price_difference=dearer, today=TODAY)
    assert grant.amount == Money("4.00", "CNY")
    assert grant.price_difference.covered == Money("5", "CNY")
    assert grant.price_difference.customer_pays == Money("3", "CNY")


def test_price_difference_outside_substitute_is_refused():
    with pytest.raises(ValueError, match="substitute"):
        grant_for(
            rule("none"), order("100", "50"), "refund", substitute_price_difference=Money("1", "CNY"), today=TODAY
        )


def test_message_pieces_are_localised():
    compensation = rule("fixed_amount", "20", minimum_order=Decimal("100"), priority_shipping=True)
    grant = grant_for(compensation, order("100", "50"), "wait", today=TODAY)
    zh = grant.message_pieces("zh-CN")
    assert zh == {
        "option": "wait", "kind": "fixed_amount", "amount": "¥20.00", "minimum_order": "¥100.00",
        "ends_on": "12月1日", "priority_shipping": "yes",
    }
    assert grant.message_pieces("en")["ends_on"] == "Dec 1"


def test_preset_ids_and_names_are_stable():
    assert [p.id for p in PRESETS] == ["platform_standard", "marketplace_late_shipment", "goodwill", "waiting_reward"]
    for item in PRESETS:
        assert set(item.rules) == set(Option)
        names = {item.name(locale) for locale in ("en", "zh-CN", "zh-TW")}
        assert len(names) == 3 and all(names)
    assert preset("goodwill").name("zh_Hant_TW") == "善意補償：退款金額的 8%"
    with pytest.raises(ValueError, match="unknown compensation preset"):
        preset("generous")


@pytest.mark.parametrize(
    ("preset_id", "expected"),
    [
        ("platform_standard", {"wait": "30.00", "substitute": "30.00", "refund": "30.00"}),
        ("marketplace_late_shipment", {"wait": "100.00", "substitute": "100.00", "refund": "100.00"}),
        ("goodwill", {"wait": "16.00", "substitute": "16.00", "refund": "16.00"}),
        ("waiting_reward", {"wait": "20.00", "substitute": None, "refund": None}),
    ],
)
def test_presets_on_a_large_order(preset_id, expected):
    preview = sample_coupon(preset(preset_id).rules, order("1500", "200"), today=TODAY)
    amounts = {option: grant and grant["amount"]["amount"] for option, grant in preview.items()}
    assert amounts == expected


def test_presets_on_a_small_order_use_the_floor():
    preview = sample_coupon(preset("marketplace_late_shipment").rules, order("30", "30"), today=TODAY)
    assert preview["wait"]["amount"] == {"amount": "5.00", "currency": "CNY"}


def test_waiting_reward_ships_first():
    preview = sample_coupon(preset("waiting_reward").rules, order("30", "30"), today=TODAY)
    assert preview["wait"]["priority_shipping"] is True


def test_sample_coupon_is_json_and_accepts_string_keys():
    rules = {"refund": rule("percent_of_refund", "8", minimum_order=Decimal("50"))}
    preview = sample_coupon(rules, order("200", "99.90"), today=TODAY)
    assert json.loads(json.dumps(preview)) == preview
    assert preview["wait"] is None and preview["substitute"] is None
    assert preview["refund"] == {
        "option": "refund", "kind": "percent_of_refund", "amount": {"amount": "7.99", "currency": "CNY"},
        "percent": "8", "free_shipping": False, "priority_shipping": False,
        "minimum_order": {"amount": "50.00", "currency": "CNY"}, "ends_on": "2026-12-01", "price_difference": None,
    }


@pytest.mark.parametrize(
    ("data", "option", "expected"),
    [
        ({"kind": "percent_of_order", "value": "5", "cap": "30"}, None,
         CompensationRule(K.PERCENT_OF_ORDER, Decimal(5), cap=Decimal(30))),
        ({"kind": "fixed_amount", "value": 20, "validity_days": "365", "priority_shipping": "on"}, "wait",
         CompensationRule(K.FIXED_AMOUNT, Decimal(20), validity_days=365, priority_shipping=True)),
        ({"kind": "free_shipping", "value": "", "minimum_order": "99", "validity_days": 1}, None,
         CompensationRule(K.FREE_SHIPPING, minimum_order=Decimal(99), validity_days=1)),
        ({"kind": "none", "cover_price_difference_up_to": "10.5"}, "substitute",
         CompensationRule(cover_price_difference_up_to=Decimal("10.5"))),
        ({"kind": "percent_of_refund", "value": "100", "floor": "5", "cap": "5"}, "refund",
         CompensationRule(K.PERCENT_OF_REFUND, Decimal(100), Decimal(5), Decimal(5))),
    ],
)
def test_validate_rule_accepts_sensible_forms(data, option, expected):
    assert validate_rule(data, option) == (expected, {})


@pytest.mark.parametrize(
    ("data", "option", "fields"),
    [
        ({"kind": "generous", "value": "5"}, None, {"kind"}),
        ({}, None, {"kind"}),
        ({"kind": "percent_of_order", "value": "-5"}, None, {"value"}),
        ({"kind": "percent_of_order", "value": "101"}, None, {"value"}),
        ({"kind": "percent_of_order", "value": "0"}, None, {"value"}),
        ({"kind": "fixed_amount"}, None, {"value"}),
        ({"kind": "fixed_amount", "value": "abc"}, None, {"value"}),
        ({"kind": "fixed_amount", "value": 2.5}, None, {"value"}),
        ({"kind": "fixed_amount", "value": "1e3"}, None, {"value"}),
        ({"kind": "fixed_amount", "value": "5.00001"}, None, {"value"}),
        ({"kind": "fixed_amount", "value": "100000000"}, None, {"value"}),
        ({"kind": "fixed_amount", "value": "5", "cap": "x", "floor": True}, None, {"cap", "floor"}),
        ({"kind": "percent_of_order", "value": "5", "floor": "10", "cap": "5"}, None, {"cap"}),
        ({"kind": "percent_of_order", "value": "5", "floor": "-1", "minimum_order": "-3"}, None,
         {"floor", "minimum_order"}),
        ({"kind": "fixed_amount", "value": "5", "validity_days": "0"}, None, {"validity_days"}),
        ({"kind": "fixed_amount", "value": "5", "validity_days": "366"}, None, {"validity_days"}),
        ({"kind": "fixed_amount", "value": "5", "validity_days": "7.5"}, None, {"validity_days"}),
        ({"kind": "fixed_amount", "value": "5", "priority_shipping": "maybe"}, None, {"priority_shipping"}),
        ({"kind": "percent_of_refund", "value": "8"}, "wait", {"kind"}),
        ({"kind": "fixed_amount", "value": "5", "priority_shipping": True}, "refund", {"priority_shipping"}),
        ({"kind": "none", "cover_price_difference_up_to": "5"}, "wait", {"cover_price_difference_up_to"}),
        ({"kind": "percent_of_order", "value": "150", "floor": "9", "cap": "1", "validity_days": "0"}, None,
         {"value", "cap", "validity_days"}),
    ],
)
def test_validate_rule_reports_field_errors(data, option, fields):
    rule_or_none, errors = validate_rule(data, option)
    assert rule_or_none is None
    assert set(errors) == fields
    assert all(isinstance(message, str) and message for message in errors.values())


def test_validate_rule_messages_say_what_is_wrong():
    _, errors = validate_rule({"kind": "percent_of_order", "value": "101", "floor": "9", "cap": "1"})
    assert errors == {"value": "a percentage cannot be more than 100", "cap": "the cap must not be less than the floor"}


def test_coupon_code_is_deterministic_and_readable():
    code = coupon_code("sorry", "shop-1:case-42", Option.WAIT)
    assert code == coupon_code("SORRY", "shop-1:case-42", "wait")
    prefix, body = code.split("-")
    assert prefix == "SORRY" and len(body) == 10
    assert not set(body) & set("01IO")
    assert coupon_code("", "shop-1:case-42", "wait") == body
    assert coupon_code("sorry", "shop-1:case-42", "refund") != code
    assert coupon_code("sorry", "shop-1:case-43", "wait") != code


@pytest.mark.parametrize("prefix", ["so rry", "SORRY!", "ABCDEFGHIJKLM"])
def test_coupon_prefix_is_checked(prefix):
    with pytest.raises(ValueError, match="prefix"):
        coupon_code(prefix, "case", "wait")


@given(st.text(max_size=40), st.sampled_from(list(Option)))
def test_coupon_codes_use_only_the_unambiguous_alphabet(case_key, option):
    code = coupon_code("", case_key, option)
    assert len(code) == 10 and set(code) <= set("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")


@given(
    subtotal=st.decimals(min_value=0, max_value=100000, places=2),
    percent=st.decimals(min_value="0.01", max_value=100, places=2),
    floor=st.one_of(st.none(), st.decimals(min_value=0, max_value=50, places=0)),
    extra=st.one_of(st.none(), st.decimals(min_value=0, max_value=500, places=0)),
    currency=st.sampled_from(["CNY", "USD", "JPY", "KRW", "TWD"]),
)
def test_percent_amount_stays_between_floor_and_cap_in_minor_units(subtotal, percent, floor, extra, currency):
    cap = None if extra is None else (floor or 0) + extra
    facts = order(subtotal, subtotal, currency)
    grant = grant_for(CompensationRule(K.PERCENT_OF_ORDER, percent, floor, cap), facts, "wait", today=TODAY)
    held = subtotal * percent / 100
    held = held if floor is None else max(held, floor)
    held = held if cap is None else min(held, cap)
    if quantize(held, currency) == 0:
        assert grant is None
        return
    amount = grant.amount.amount
    assert amount == quantize(held, currency)
    assert amount.as_tuple().exponent == -minor_units(currency)
    assert floor is None or amount >= floor
    assert cap is None or amount <= cap
