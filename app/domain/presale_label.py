"""The presale label on a product title, in the shop's language, and how to take it off again."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from string import Formatter

from babel.dates import format_date

from app.domain.locales import babel_locale, resolve_locale

PRESALE_TAG = "stockout-presale"
SHIP_BY_NAMESPACE = "stockout"
SHIP_BY_KEY = "ship_by"
SHIP_BY_TYPE = "date"

DEFAULT_FORMATS = {
    "zh-CN": "【预售 {date} 发货】{title}",
    "zh-TW": "【預購 {date} 出貨】{title}",
    "en": "{title} [Pre-order – ships {date}]",
}
_DATE_PATTERNS = {"zh-CN": "M.d", "zh-TW": "M/d", "en": "MMM d"}
_PLACEHOLDERS = ("title", "date")


class LabelFormatError(ValueError):
    """A merchant's label format that cannot label a title."""


@dataclass(frozen=True)
class PresaleLabel:
    """The exact text the label puts before and after a title."""

    prefix: str
    suffix: str

    def apply(self, title: str) -> str:
        return f"{self.prefix}{title}{self.suffix}"

    def strip(self, title: str) -> str:
        """The title without whichever parts of this label are still intact."""
        if self.prefix and title.startswith(self.prefix):
            title = title[len(self.prefix):]
        if self.suffix and title.endswith(self.suffix):
            title = title[: len(title) - len(self.suffix)]
        return title


def label_locale(locale: str | None) -> str:
    """The label language for a shop locale: zh-CN, zh-TW, or en for any language we do not write."""
    return resolve_locale(locale, None)


def validate_label_format(fmt: str) -> str:
    """Return the format if it can label a title, or raise LabelFormatError saying what is wrong."""
    pieces = _pieces(fmt)
    fields = [field for _, field in pieces if field is not None]
    if fields.count("title") != 1:
        raise LabelFormatError(
            "the label format must contain {title} exactly once, e.g. '{title} [Pre-order – ships {date}]'"
        )
    if fields.count("date") > 1:
        raise LabelFormatError("the label format may contain {date} only once")
    if not "".join(literal for literal, _ in pieces).strip() and "date" not in fields:
        raise LabelFormatError(
            "the label format adds nothing to the title: add text such as 'Pre-order' around {title}"
        )
    return fmt


def presale_label(ship_by: date, locale: str, fmt: str | None = None) -> PresaleLabel:
    """The label for this ship-by date in the shop's language, from the merchant's format or the default."""
    language = label_locale(locale)
    pieces = _pieces(validate_label_format(fmt) if fmt else DEFAULT_FORMATS[language])
    date_text = format_date(ship_by, _DATE_PATTERNS[language], locale=babel_locale(language))
    return PresaleLabel(*_around_title(pieces, date_text))


def presale_title(original_title: str, ship_by: date, locale: str, fmt: str | None = None) -> str:
    """The title labelled for presale; an earlier label of the same format is replaced, never stacked."""
    base = strip_presale_label(original_title, locale, fmt)
    return presale_label(ship_by, locale, fmt).apply(base)


def strip_presale_label(title: str, locale: str, fmt: str | None = None, label: PresaleLabel | None = None) -> str:
    """The title without the given label and without any label of this format, whatever its date."""
    if label is not None:
        title = label.strip(title)
    language = label_locale(locale)
    patterns = _label_patterns(language, fmt or DEFAULT_FORMATS[language])
    while True:
        stripped = title
        for pattern in patterns:
            stripped = pattern.sub("", stripped, count=1)
        if stripped == title:
            return title
        title = stripped


def _pieces(fmt: str) -> list[tuple[str, str | None]]:
    """The format as (literal text, placeholder) pairs, refusing anything but plain {title} and {date}."""
    if not isinstance(fmt, str):
        raise LabelFormatError("the label format must be text")
    try:
        parsed = list(Formatter().parse(fmt))
    except ValueError as error:
        raise LabelFormatError(
            f"the label format has unbalanced braces ({error}); write {{{{ or }}}} for a brace"
        ) from None
    pieces = []
    for literal, field, spec, conversion in parsed:
        if field is not None and (field not in _PLACEHOLDERS or spec or conversion):
            raise LabelFormatError(f"the label format may only use {{title}} and {{date}}, not {{{field}}}")
        pieces.append((literal, field))
    return pieces


def _around_title(pieces: list[tuple[str, str | None]], date_text: str, quote=str) -> tuple[str, str]:
    """The text before and after {title}, with {date} filled in and the literal text passed through `quote`."""
    before: list[str] = []
    after: list[str] = []
    side = before
    for literal, field in pieces:
        side.append(quote(literal))
        if field == "title":
            side = after
        elif field == "date":
            side.append(date_text)
    return "".join(before), "".join(after)


@lru_cache(maxsize=64)
def _label_patterns(language: str, fmt: str) -> tuple[re.Pattern[str], ...]:
    """Anchored patterns matching this format's text before and after the title, for any ship-by date."""
    any_date = "(?:" + "|".join(re.escape(text) for text in _all_dates(language)) + ")"
    before, after = _around_title(_pieces(validate_label_format(fmt)), any_date, re.escape)
    patterns = ("^" + before if before else None, after + "$" if after else None)
    return tuple(re.compile(pattern) for pattern in patterns if pattern)


@lru_cache(maxsize=8)
def _all_dates(language: str) -> tuple[str, ...]:
    """Every day of a leap year as the label shows it, longest first so the pattern matches whole dates."""
    first, pattern, locale = date(2024, 1, 1), _DATE_PATTERNS[language], babel_locale(language)
    days = {format_date(first + timedelta(days=n), pattern, locale=locale) for n in range(366)}
    return tuple(sorted(days, key=lambda text: (-len(text), text)))
