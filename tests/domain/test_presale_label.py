"""Presale labels: the shop's language, merchant formats, exact removal and no stacking."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.presale_label import (
    DEFAULT_FORMATS,
    PRESALE_TAG,
    SHIP_BY_KEY,
    SHIP_BY_NAMESPACE,
    SHIP_BY_TYPE,
    LabelFormatError,
    PresaleLabel,
    label_locale,
    presale_label,
    presale_title,
    strip_presale_label,
    validate_label_format,
)

OCT_20 = date(2026, 10, 20)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("zh-CN", "【预售 10.20 发货】Blue shirt"),
        ("zh-TW", "【預購 10/20 出貨】Blue shirt"),
        ("en", "Blue shirt [Pre-order – ships Oct 20]"),
        ("zh_Hans_CN", "【预售 10.20 发货】Blue shirt"),
        ("zh-HK", "【預購 10/20 出貨】Blue shirt"),
        ("en-GB", "Blue shirt [Pre-order – ships Oct 20]"),
        ("fr", "Blue shirt [Pre-order – ships Oct 20]"),
    ],
)
def test_default_label_in_the_shops_language(locale, expected):
    assert presale_title("Blue shirt", OCT_20, locale) == expected


@pytest.mark.parametrize(
    ("day", "text"), [(date(2027, 1, 5), "Jan 5"), (date(2026, 12, 31), "Dec 31"), (date(2026, 5, 1), "May 1")]
)
def test_english_month_names_come_from_babel(day, text):
    assert presale_label(day, "en").suffix == f" [Pre-order – ships {text}]"


@pytest.mark.parametrize(
    ("locale", "expected"), [("zh-CN", "zh-CN"), ("zh", "zh-CN"), ("zh_TW", "zh-TW"), ("de", "en"), (None, "en")]
)
def test_label_locale(locale, expected):
    assert label_locale(locale) == expected


@pytest.mark.parametrize(
    ("fmt", "locale", "expected"),
    [
        ("PRE-ORDER ({date}): {title}", "en", "PRE-ORDER (Oct 20): Blue"),
        ("{title}（{date} 发货）", "zh-CN", "Blue（10.20 发货）"),
        ("{{预购}} {title}", "zh-TW", "{预购} Blue"),
        ("[Pre-order] {title}", "en", "[Pre-order] Blue"),
    ],
)
def test_merchant_format(fmt, locale, expected):
    assert presale_title("Blue", OCT_20, locale, fmt) == expected
    assert strip_presale_label(expected, locale, fmt) == "Blue"


@pytest.mark.parametrize(
    ("fmt", "message"),
    [
        ("Pre-order {date}", "must contain {title}"),
        ("{title} and {title}", "must contain {title}"),
        ("{title} {date} {date}", "{date} only once"),
        ("{title}", "adds nothing"),
        ("  {title} ", "adds nothing"),
        ("{name} {title}", "only use {title} and {date}"),
        ("{title:>20} x", "only use {title} and {date}"),
        ("{title!r} x", "only use {title} and {date}"),
        ("{} {title}", "only use {title} and {date}"),
        ("{title x", "unbalanced braces"),
        ("} {title}", "unbalanced braces"),
    ],
)
def test_bad_formats_are_refused_clearly(fmt, message):
    with pytest.raises(LabelFormatError, match=message.replace("{", r"\{").replace("}", r"\}")):
        validate_label_format(fmt)
    with pytest.raises(LabelFormatError):
        presale_title("Blue", OCT_20, "en", fmt)


def test_default_formats_are_valid():
    for fmt in DEFAULT_FORMATS.values():
        assert validate_label_format(fmt) == fmt


def test_relabelling_when_the_date_slips_does_not_stack():
    first = presale_title("Blue", OCT_20, "zh-CN")
    slipped = presale_title(first, date(2026, 11, 3), "zh-CN")
    assert slipped == "【预售 11.3 发货】Blue"


def test_labels_stacked_by_an_old_bug_are_all_removed():
    label = presale_label(OCT_20, "en")
    stacked = presale_label(date(2026, 11, 3), "en").apply(label.apply("Blue"))
    assert strip_presale_label(stacked, "en") == "Blue"


def test_exact_label_is_removed_although_the_merchant_edited_the_rest():
    label = presale_label(OCT_20, "zh-TW")
    edited = label.apply("Blue shirt (new colour)")
    assert label.strip(edited) == "Blue shirt (new colour)"
    assert strip_presale_label(edited, "zh-TW", label=label) == "Blue shirt (new colour)"


def test_label_parts_are_removed_independently():
    label = PresaleLabel("[PRE] ", " (Oct 20)")
    assert label.strip("[PRE] Blue") == "Blue"
    assert label.strip("Blue (Oct 20)") == "Blue"
    assert label.strip("Blue") == "Blue"


def test_an_exact_label_of_another_format_is_removed_too():
    old = presale_label(OCT_20, "en", "SOON {title}")
    assert strip_presale_label(old.apply("Blue"), "en", label=old) == "Blue"


@pytest.mark.parametrize(
    "title",
    ["Blue shirt", "Blue [Pre-order – ships Oct 20] shirt", "【预售 10.20 发货】", "Sale [Pre-order – ships Someday]"],
)
def test_titles_without_a_whole_label_at_the_ends_are_left_alone(title):
    locale = "zh-CN" if title.startswith("【") else "en"
    expected = "" if title == "【预售 10.20 发货】" else title
    assert strip_presale_label(title, locale) == expected


def test_shopify_facts_for_tag_and_metafield():
    assert PRESALE_TAG == "stockout-presale"
    assert (SHIP_BY_NAMESPACE, SHIP_BY_KEY, SHIP_BY_TYPE) == ("stockout", "ship_by", "date")


titles = st.text(alphabet="abcXYZ 蓝色衬衫-()0123456789", max_size=30)
days = st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31))
locales = st.sampled_from(["zh-CN", "zh-TW", "en"])


@given(titles, days, days, locales)
def test_labelling_is_removable_and_never_stacks(title, first, second, locale):
    labelled = presale_title(title, first, locale)
    assert strip_presale_label(labelled, locale) == title
    assert presale_label(first, locale).strip(labelled) == title
    assert presale_title(labelled, second, locale) == presale_title(title, second, locale)
