"""A stockout notice for several short items: each item's substitute in the e-mail, a count in the SMS."""

import html
from dataclasses import replace

import pytest

from app.domain.messages import ItemSubstitute, MessageKind, SubstituteOption, compose
from app.domain.sms_segments import count_segments
from app.domain.template_checks import sample_facts
from tests.messages.test_message_compose import LINK, LOCALES, long_facts

SUMMARY = {"en": "Substitutes available for {n} items", "zh-CN": "{n}件商品可改换替代品", "zh-TW": "{n}件商品可改換替代品"}
PICK_ON_PAGE = {"en": "pick item by item on the page", "zh-CN": "在页面上逐件挑选", "zh-TW": "在頁面上逐件挑選"}


def per_item_facts(facts, picks):
    """The facts with a substitute to pick for each short item (one per item, as the choice page offers them)."""
    first = facts.items[0]
    items = tuple(replace(first, title=item, variant_title=first.variant_title if n == 0 else None)
                  for n, (item, _, _) in enumerate(picks))
    per_item = tuple(ItemSubstitute(item, title, more) for item, title, more in picks)
    substitute = SubstituteOption(LINK + "?option=substitute", per_item[0].title, per_item)
    return replace(facts, items=items, options=replace(facts.options, substitute=substitute))


TWO = {
    "en": (("Stoneware Teapot", "Teapot in Sand", 1), ("Tea Cups, Set of 4", "Tea Cups in Sand", 0)),
    "zh-CN": (("粗陶茶壶", "粗陶茶壶（米白釉）", 1), ("品茗杯四只装", "品茗杯四只装（米白釉）", 0)),
    "zh-TW": (("柴燒茶壺", "柴燒茶壺（米白釉）", 1), ("品茗杯四入組", "品茗杯四入組（米白釉）", 0)),
}


@pytest.mark.parametrize("locale", LOCALES)
def test_the_email_lists_each_short_item_with_its_substitute(locale):
    message = compose(MessageKind.STOCKOUT_NOTICE, locale, per_item_facts(sample_facts(locale), TWO[locale]))
    for body in (message.text, html.unescape(message.html)):
        for item, substitute, _ in TWO[locale]:
            line = next(line for line in body.splitlines() if substitute in line)
            assert item in line, (line, body)
        assert PICK_ON_PAGE[locale] in body
        assert LINK + "?option=substitute" in body
    if locale == "en":
        assert "Teapot in Sand (or 1 other on the page)" in message.text
        assert "Take Teapot in Sand instead" not in message.text, "one item's substitute is not the whole order's"
    else:
        assert "另有1款" in message.text


@pytest.mark.parametrize("locale", LOCALES)
def test_the_sms_counts_the_items_with_substitutes_instead_of_listing_them(locale):
    message = compose(MessageKind.STOCKOUT_NOTICE, locale, per_item_facts(sample_facts(locale), TWO[locale]))
    assert SUMMARY[locale].format(n=2) in message.sms
    assert TWO[locale][1][1] not in message.sms


@pytest.mark.parametrize("locale", LOCALES)
def test_one_short_item_keeps_its_own_substitute_and_no_count(locale):
    message = compose(MessageKind.STOCKOUT_NOTICE, locale, sample_facts(locale))
    substitute = sample_facts(locale).options.substitute.title
    assert substitute in message.text
    assert SUMMARY[locale].format(n=1) not in message.sms and PICK_ON_PAGE[locale] not in message.text


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("dated", [True, False], ids=["with-date", "no-date"])
def test_the_sms_with_long_names_and_several_substitutes_stays_within_two_segments(locale, dated):
    facts = long_facts(locale)
    long_title = facts.options.substitute.title
    picks = tuple((f"{item.title} {n}", f"{long_title} {n}", 2) for n, item in enumerate(facts.items * 2))
    facts = per_item_facts(facts, picks)
    if not dated:
        facts = replace(facts, restock_date=None, previous_restock_date=None)
    sms = compose(MessageKind.STOCKOUT_NOTICE, locale, facts).sms
    info = count_segments(sms)
    assert info.segments <= 2, (info, sms)
    assert SUMMARY[locale].format(n=len(picks)) in sms
    assert LINK in sms
