"""Money: rounding to minor units, refusing floats and mixed currencies, reading amounts from text."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.money import CurrencyMismatch, Money, MoneyError, minor_units, parse_amount, parse_money, quantize


@pytest.mark.parametrize(
    ("currency", "decimals"),
    [("JPY", 0), ("KRW", 0), ("CNY", 2), ("USD", 2), ("TWD", 2), ("BHD", 3), ("usd", 2)],
)
def test_minor_units_come_from_babel(currency, decimals):
    assert minor_units(currency) == decimals


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1.005", "USD", "1.01"),
        ("1.004", "USD", "1.00"),
        ("0.505", "USD", "0.51"),
        ("10.125", "CNY", "10.13"),
        ("14.995", "CNY", "15.00"),
        ("-1.005", "USD", "-1.01"),
        ("2.5", "JPY", "3"),
        ("1234.4", "JPY", "1234"),
        ("0.5", "KRW", "1"),
        ("1.0005", "BHD", "1.001"),
        ("7", "USD", "7.00"),
    ],
)
def test_quantize_rounds_half_up_to_minor_units(amount, currency, expected):
    result = quantize(Decimal(amount), currency)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize("bad", [1.005, True, Decimal("NaN"), Decimal("Infinity")])
def test_quantize_refuses_inexact_or_infinite_amounts(bad):
    with pytest.raises(MoneyError):
        quantize(bad, "USD")


def test_quantize_refuses_unknown_currency():
    with pytest.raises(MoneyError, match="unknown currency"):
        quantize(Decimal("1"), "XYZ")


def test_money_normalises_currency_and_amount():
    money = Money("12.50", "cny")
    assert money.currency == "CNY"
    assert money.amount == Decimal("12.50")
    assert Money(3, "USD").amount == Decimal(3)


@pytest.mark.parametrize("amount", [0.1, Decimal("NaN"), "1e3", None])
def test_money_refuses_floats_and_nonsense(amount):
    with pytest.raises(MoneyError):
        Money(amount, "USD")


def test_arithmetic_within_one_currency():
    a, b = Money("10.10", "USD"), Money("2.05", "USD")
    assert a + b == Money("12.15", "USD")
    assert a - b == Money("8.05", "USD")
    assert -b == Money("-2.05", "USD")
    assert a * 3 == Money("30.30", "USD")
    assert 2 * b == Money("4.10", "USD")
    assert b < a and a > b and a >= a and b <= b
    assert max(a, b) == a


@pytest.mark.parametrize(
    "combine",
    [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a < b, lambda a, b: a >= b, lambda a, b: max(a, b)],
)
def test_mixing_currencies_is_refused(combine):
    with pytest.raises(CurrencyMismatch, match="cannot combine (USD with CNY|CNY with USD)"):
        combine(Money("1", "USD"), Money("1", "CNY"))


def test_multiplying_by_float_or_money_is_refused():
    with pytest.raises(MoneyError, match="float"):
        Money("1", "USD") * 1.5
    with pytest.raises(TypeError):
        Money("1", "USD") * Money("1", "USD")
    with pytest.raises(TypeError):
        Money("1", "USD") + Decimal("1")


def test_percent_is_unrounded_and_rounded_rounds():
    share = Money("299.90", "CNY").percent(5)
    assert share.amount == Decimal("14.995")
    assert share.rounded() == Money("15.00", "CNY")
    assert Money("1250", "JPY").percent(5).rounded().amount == Decimal("63")


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("12.50 USD", None, Money("12.50", "USD")),
        ("USD 12.50", None, Money("12.50", "USD")),
        ("  -3.10   cny ", None, Money("-3.10", "CNY")),
        ("1200 JPY", None, Money("1200", "JPY")),
        ("1200.00 JPY", None, Money("1200", "JPY")),
        ("12.5", "CNY", Money("12.5", "CNY")),
        ("12.50 CNY", "CNY", Money("12.50", "CNY")),
    ],
)
def test_parse_money_reads_amount_and_currency(text, currency, expected):
    assert parse_money(text, currency) == expected


@pytest.mark.parametrize(
    ("text", "currency", "message"),
    [
        (12.5, None, "float"),
        ("", None, "not money"),
        ("12.50", None, "not money"),
        ("USD", None, "not money"),
        ("12 USD EUR", None, "not money"),
        ("abc USD", None, "not an amount"),
        ("1e3 USD", None, "not an amount"),
        ("NaN USD", None, "not an amount"),
        ("1,000 USD", None, "not an amount"),
        ("12.345 USD", None, "more decimals than USD"),
        ("12.5 JPY", None, "more decimals than JPY"),
        ("12.50 XYZ", None, "unknown currency"),
        ("12 USD", "CNY", "expected CNY"),
    ],
)
def test_parse_money_refuses_nonsense_clearly(text, currency, message):
    with pytest.raises(MoneyError, match=message):
        parse_money(text, currency)


@pytest.mark.parametrize("text", ["12.50", "-3", "0"])
def test_parse_amount_reads_plain_decimals(text):
    assert parse_amount(text) == Decimal(text)


currencies = st.sampled_from(["USD", "CNY", "JPY", "KRW", "BHD", "TWD"])
amounts = st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, allow_infinity=False, places=6)


@given(amounts, currencies)
def test_quantize_is_idempotent_and_within_half_a_minor_unit(amount, currency):
    rounded = quantize(amount, currency)
    unit = Decimal(1).scaleb(-minor_units(currency))
    assert quantize(rounded, currency) == rounded
    assert abs(rounded - amount) <= unit / 2
    assert rounded.as_tuple().exponent == -minor_units(currency)


@given(amounts, amounts, currencies)
def test_subtraction_undoes_addition(a, b, currency):
    x, y = Money(a, currency), Money(b, currency)
    assert (x + y) - y == x
