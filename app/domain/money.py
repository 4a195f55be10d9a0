"""Amounts of money in one currency, rounded to that currency's minor units."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision, is_currency


class MoneyError(ValueError):
    """An amount or currency that cannot be money."""


class CurrencyMismatch(MoneyError):
    """Two amounts in different currencies were combined."""


_AMOUNT = re.compile(r"-?\d+(\.\d+)?")


def currency_code(code: str) -> str:
    """Return the ISO 4217 code in upper case, or refuse an unknown one."""
    if not isinstance(code, str) or not is_currency(code.strip().upper()):
        raise MoneyError(f"unknown currency {code!r}: use an ISO 4217 code such as USD, CNY or JPY")
    return code.strip().upper()


def minor_units(currency: str) -> int:
    """How many decimals the currency has (JPY 0, USD 2, BHD 3)."""
    return get_currency_precision(currency_code(currency))


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Turn an exact value into a finite Decimal; floats are refused because they are not exact."""
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"{value!r} is a {type(value).__name__}; money must be a Decimal, int or str")
    if isinstance(value, str):
        return parse_amount(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError(f"{value!r} is not a finite amount")
        return value
    raise MoneyError(f"{value!r} is a {type(value).__name__}; money must be a Decimal, int or str")


def parse_amount(text: str) -> Decimal:
    """Read a plain decimal like "12.50" or "-3"; exponents, separators and words are refused."""
    if not isinstance(text, str):
        raise MoneyError(f"{text!r} is a {type(text).__name__}, not text")
    cleaned = text.strip()
    if not _AMOUNT.fullmatch(cleaned):
        raise MoneyError(f"{text!r} is not an amount: write digits with an optional decimal point, like 12.50")
    return Decimal(cleaned)


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor units."""
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return to_decimal(amount).quantize(exponent, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Money:
    """An exact amount in one currency; arithmetic across currencies is refused."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        object.__setattr__(self, "currency", currency_code(self.currency))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    def rounded(self) -> Money:
        """This amount rounded half up to the currency's minor units."""
        return Money(quantize(self.amount, self.currency), self.currency)

    def percent(self, rate: Decimal | int | str) -> Money:
        """The given percentage of this amount, unrounded."""
        return Money(self.amount * to_decimal(rate) / 100, self.currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(f"cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, Money):
            raise TypeError("cannot multiply money by money")
        return Money(self.amount * to_decimal(factor), self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def parse_money(text: str, currency: str | None = None) -> Money:
    """Read "12.50 USD", "USD 12.50", or "12.50" with the currency given; extra decimals are refused."""
    if not isinstance(text, str):
        raise MoneyError(f"{text!r} is a {type(text).__name__}; give money as text like '12.50 USD'")
    parts = text.split()
    if len(parts) == 2:
        number, code = (parts[0], parts[1]) if parts[1].isalpha() else (parts[1], parts[0])
        code = currency_code(code)
        if currency is not None and currency_code(currency) != code:
            raise CurrencyMismatch(f"{text!r} is in {code}, expected {currency_code(currency)}")
    elif len(parts) == 1 and currency is not None:
        number, code = parts[0], currency_code(currency)
    else:
        raise MoneyError(f"{text!r} is not money: write an amount and a currency, like '12.50 USD'")
    amount = parse_amount(number)
    if quantize(amount, code) != amount:
        raise MoneyError(f"{text!r} has more decimals than {code} allows ({minor_units(code)})")
    return Money(amount, code)
