"""Every kind of message, in every language: what the customer must read, and what they must never read."""

import html
import re
from dataclasses import replace
from decimal import Decimal

import pytest
from jinja2.exceptions import SecurityError

from app.domain.locales import NO_DATE_TEXT
from app.domain.messages import (
    MARKETING_KINDS,
    ORDER_KINDS,
    Compensation,
    IncompleteFacts,
    Item,
    MessageFacts,
    MessageKind,
    Options,
    RefundOption,
    Shop,
    SubstituteOption,
    WaitOption,
    compose,
)
from app.domain.sms_segments import count_segments
from app.domain.template_checks import APOLOGY, OPT_OUT, VAGUE, sample_facts

LOCALES = ("en", "zh-CN", "zh-TW")
CHOOSING_KINDS = (MessageKind.CHOICE_CONFIRMED, MessageKind.DEFAULT_APPLIED)
# Kinds whose message depends on the restock date when the customer waits.
DATED_KINDS = (MessageKind.STOCKOUT_NOTICE, MessageKind.BACKORDER_UPDATE, *CHOOSING_KINDS)
SIMPLIFIED_ONLY = set("们这为订货发邮请选确认时间还谢运费")
TRADITIONAL_ONLY = set("們這為訂貨發郵請選確認時間還謝運費")


def cases(locales=LOCALES):
    return [
        pytest.param(kind, locale, choice, id=f"{kind.value}-{locale}-{choice or 'any'}")
        for kind in MessageKind
        for locale in locales
        for choice in (("wait", "substitute", "refund") if kind in CHOOSING_KINDS else (None,))
    ]


def facts_for(locale, choice=None, **changes):
    facts = sample_facts(locale)
    return replace(facts, **({"choice": choice} if choice else {}), **changes)


def all_parts(message):
    return {"subject": message.subject, "text": message.text, "html": html.unescape(message.html), "sms": message.sms}


@pytest.mark.parametrize(("kind", "locale", "choice"), cases())
def test_every_part_names_the_shop_the_order_and_how_to_reach_us(kind, locale, choice):
    facts = facts_for(locale, choice)
    message = compose(kind, locale, facts)
    parts = all_parts(message)
    assert message.subject and "\n" not in message.subject and len(message.subject) <= 150
    assert message.text.endswith("\n") and "\n\n\n" not in message.text
    assert message.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{ {"zh-TW": "zh-Hant-TW"}.get(locale, locale) }">' in message.html
    assert message.sms.startswith("[" if locale == "en" else "【")
    for name in ("text", "html", "sms"):
        assert facts.shop.name in parts[name]
    for name in ("text", "html"):
        assert facts.shop.contact_email in parts[name]
    if kind in ORDER_KINDS:
        for name, text in parts.items():
            assert facts.order_name in text, name
    assert count_segments(message.sms).segments <= 2


@pytest.mark.parametrize(("kind", "locale", "choice"), cases())
@pytest.mark.parametrize("dated", [True, False], ids=["with-date", "no-date"])
def test_never_vague(kind, locale, choice, dated):
    facts = facts_for(locale, choice)
    if not dated:
        facts = replace(facts, restock_date=None, previous_restock_date=None)
    for name, text in all_parts(compose(kind, locale, facts)).items():
        assert not VAGUE[locale].search(text), f"{name}: {VAGUE[locale].search(text)}"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", DATED_KINDS)
def test_a_known_date_is_given_and_a_missing_one_is_said_honestly(kind, locale):
    facts = facts_for(locale, "wait")
    dated = compose(kind, locale, facts)
    day = "Dec 8" if locale == "en" else "12月8日"
    for text in (dated.text, dated.html, dated.sms):
        assert day in text
    undated = compose(kind, locale, replace(facts, restock_date=None, previous_restock_date=None))
    for text in (undated.text, html.unescape(undated.html)):
        assert NO_DATE_TEXT[locale] in text
        assert day not in text
    assert day not in undated.sms
    assert re.search(r"no (restock|confirmed) date|暂无确定|仍没有确定|尚無確定|仍沒有確定", undated.sms)


@pytest.mark.parametrize("locale", LOCALES)
def test_stockout_notice_carries_everything_the_customer_needs_to_choose(locale):
    facts = sample_facts(locale)
    message = compose(MessageKind.STOCKOUT_NOTICE, locale, facts)
    for text in (message.text, html.unescape(message.html)):
        assert APOLOGY[locale].search(text)
        for item in facts.items:
            assert item.title in text
        options = facts.options
        for link in (facts.choice_link, options.wait.link, options.substitute.link, options.refund.link):
            assert link in text
        assert facts.options.substitute.title in text
        assert {"en": "$86.00", "zh-CN": "¥86.00", "zh-TW": "$86.00"}[locale] in text
        assert {"en": "$10.00", "zh-CN": "¥10.00", "zh-TW": "$10.00"}[locale] in text
        assert {"en": "Dec 8", "zh-CN": "12月8日", "zh-TW": "12月8日"}[locale] in text
        assert {"en": "Tue, Dec 1", "zh-CN": "12月1日周二 18:00", "zh-TW": "12月1日 週二 下午6:00"}[locale] in text
        assert {"en": "supplier", "zh-CN": "供应商", "zh-TW": "供應商"}[locale] in text
    assert facts.choice_link in message.sms
    assert APOLOGY[locale].search(message.sms)


def test_english_deadline_is_in_the_shops_time_zone():
    facts = sample_facts("en")
    assert "Tue, Dec 1, 2:00 AM" in compose(MessageKind.STOCKOUT_NOTICE, "en", facts).text.replace("\u202f", " ")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_reason_is_only_shown_when_the_merchant_allows_it(locale):
    shown = compose(MessageKind.STOCKOUT_NOTICE, locale, sample_facts(locale))
    hidden = compose(MessageKind.STOCKOUT_NOTICE, locale, facts_for(locale, show_reason=False))
    word = {"en": "running late", "zh-CN": "发货延误", "zh-TW": "出貨延誤"}[locale]
    assert word in shown.text and word not in hidden.text and word not in html.unescape(hidden.html)
    unknown = compose(MessageKind.STOCKOUT_NOTICE, locale, facts_for(locale, reason_code="no_such_reason"))
    assert {"en": "What happened", "zh-CN": "原因", "zh-TW": "原因"}[locale] not in unknown.text


@pytest.mark.parametrize(("kind", "locale", "choice"), cases(["zh-TW"]))
def test_traditional_chinese_has_no_simplified_characters(kind, locale, choice):
    for name, text in all_parts(compose(kind, locale, facts_for(locale, choice))).items():
        assert not SIMPLIFIED_ONLY & set(text), f"{name}: {SIMPLIFIED_ONLY & set(text)}"


@pytest.mark.parametrize(("kind", "locale", "choice"), cases(["zh-CN"]))
def test_simplified_chinese_has_no_traditional_characters(kind, locale, choice):
    for name, text in all_parts(compose(kind, locale, facts_for(locale, choice))).items():
        assert not TRADITIONAL_ONLY & set(text), f"{name}: {TRADITIONAL_ONLY & set(text)}"


LONG_NAMES = {
    "en": ("The Little Ceramic Workshop of Portland & Co.", "Hand-thrown Stoneware Teapot with Bamboo Handle – Celadon",
           "Large / 1.2 L", "Hand-thrown Stoneware Teapot with Bamboo Handle – Sand Glaze"),
    "zh-CN": ("山野手作陶瓷工作室·景德镇官方旗舰店", "手工柴烧粗陶大容量泡茶壶（带竹编提梁）", "青瓷釉 / 1.2升",
              "手工柴烧粗陶大容量泡茶壶（米白釉，带竹编提梁）"),
    "zh-TW": ("山嵐手作陶藝工作室・鶯歌老街直營門市", "手拉坯柴燒大容量泡茶壺（附竹編提把）", "青瓷釉／1.2公升",
              "手拉坯柴燒大容量泡茶壺（米白釉，附竹編提把）"),
}
LINK = "https://stockout-concierge.example.com/c/8fK2mQx7Rt"


def long_facts(locale, choice=None):
    shop_name, title, variant, substitute = LONG_NAMES[locale]
    facts = facts_for(locale, choice)
    options = facts.options
    return replace(
        facts,
        shop=replace(facts.shop, name=shop_name),
        order_name="#SC-100234",
        items=(Item(title, variant, 2), Item(title + " Lid", None, 1), Item("Tea Towel", "Indigo", 3)),
        options=replace(options, substitute=SubstituteOption(LINK + "/swap", substitute)),
        choice_link=LINK,
        cancel_link=LINK + "/cancel",
        product_link="https://juniper-and-clay-ceramics.com/products/hand-thrown-teapot",
        tracking_link="https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223",
        compensation=Compensation("SORRY-SC100234-WAIT", Decimal("12.50")),
    )


@pytest.mark.parametrize(("kind", "locale", "choice"), cases())
@pytest.mark.parametrize("dated", [True, False], ids=["with-date", "no-date"])
def test_default_sms_is_at_most_two_segments_with_long_real_names(kind, locale, choice, dated):
    facts = long_facts(locale, choice)
    if not dated:
        facts = replace(facts, restock_date=None, previous_restock_date=None)
    sms = compose(kind, locale, facts).sms
    info = count_segments(sms)
    assert info.segments <= 2, (info, sms)
    assert sms.startswith("[The Little" if locale == "en" else "【山")
    if locale == "en":
        assert info.encoding == "GSM-7", sms


def test_english_sms_with_a_chinese_product_title_still_fits_two_segments():
    facts = replace(long_facts("en", "wait"), items=(Item("手工柴烧粗陶大容量泡茶壶（带竹编提梁）", "青瓷釉"),))
    unnamed = 0
    for kind in MessageKind:
        sms = compose(kind, "en", facts).sms
        assert count_segments(sms).segments <= 2, sms
        unnamed += "your item" in sms
    assert unnamed, "the longest English messages give up the Chinese title rather than a third segment"


@pytest.mark.parametrize("locale", LOCALES)
def test_marketing_sms_always_says_how_to_opt_out(locale):
    facts = facts_for(locale, shop=replace(sample_facts(locale).shop, sms_opt_out_on_transactional=False))
    assert MessageKind.BACK_IN_STOCK in MARKETING_KINDS
    assert OPT_OUT[locale] in compose(MessageKind.BACK_IN_STOCK, locale, facts).sms
    assert OPT_OUT[locale] not in compose(MessageKind.SHIPPED, locale, facts).sms
    assert OPT_OUT[locale] in compose(MessageKind.SHIPPED, locale, sample_facts(locale)).sms


@pytest.mark.parametrize("locale", LOCALES)
def test_marketing_email_carries_the_unsubscribe_link_and_transactional_says_why(locale):
    facts = sample_facts(locale)
    marketing = compose(MessageKind.BACK_IN_STOCK, locale, facts)
    assert facts.unsubscribe_link in marketing.text and facts.unsubscribe_link in marketing.html
    assert facts.product_link in marketing.text and facts.product_link in marketing.html
    transactional = compose(MessageKind.SHIPPED, locale, facts)
    assert facts.unsubscribe_link not in transactional.html
    assert facts.tracking_link in transactional.text and facts.tracking_link in transactional.html


def test_html_escapes_what_merchants_and_customers_typed_and_text_does_not():
    facts = facts_for("en", items=(Item("<b>Tea & Co</b> teapot"),), customer_first_name="<script>x</script>")
    message = compose(MessageKind.STOCKOUT_NOTICE, "en", facts)
    assert "&lt;b&gt;Tea &amp; Co&lt;/b&gt; teapot" in message.html
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html
    assert "<b>Tea & Co</b> teapot" in message.text


def test_default_title_variants_are_not_shown_and_quantities_are():
    facts = facts_for("en", items=(Item("Teapot", "Default Title", 3),))
    message = compose(MessageKind.RESTOCK, "en", facts)
    assert "Default Title" not in message.text and "Default Title" not in message.html
    assert "Teapot × 3" in message.text


@pytest.mark.parametrize(
    ("locale", "coupon", "expected"),
    [
        ("en", Compensation("TAKE15", percent=Decimal(15)), "15%-off coupon"),
        ("zh-CN", Compensation("TAKE15", percent=Decimal(15)), "8.5折的优惠券"),
        ("zh-TW", Compensation("FREESHIP", free_shipping=True), "免運費的折價券"),
    ],
)
def test_percent_and_free_shipping_coupons_read_naturally(locale, coupon, expected):
    facts = facts_for(locale, options=Options(wait=WaitOption("https://sc.example.com/w", coupon)))
    assert expected in compose(MessageKind.STOCKOUT_NOTICE, locale, facts).text


def test_money_values_bring_their_own_currency():
    from app.domain.money import Money

    refund = RefundOption("https://sc.example.com/r", Money(Decimal("128"), "CNY"))
    facts = facts_for("en", options=Options(refund=refund))
    assert "CN¥128.00" in compose(MessageKind.REFUND_DONE, "en", facts).text


@pytest.mark.parametrize(
    ("kind", "changes", "missing"),
    [
        (MessageKind.STOCKOUT_NOTICE, {"choice_link": None}, "choice_link"),
        (MessageKind.BACKORDER_UPDATE, {"cancel_link": None}, "cancel_link"),
        (MessageKind.REFUND_DONE, {"options": Options()}, "options.refund"),
        (MessageKind.BACK_IN_STOCK, {"unsubscribe_link": None}, "unsubscribe_link"),
        (MessageKind.CHOICE_CONFIRMED, {"choice": "substitute", "options": Options()}, "options.substitute"),
        (MessageKind.DEFAULT_APPLIED, {"deadline": None}, "deadline"),
        (MessageKind.SATISFACTION_FOLLOWUP, {"rating_links": ("a", "b")}, "rating_links"),
        (MessageKind.SHIPPED, {"items": ()}, "items"),
    ],
)
def test_incomplete_facts_are_refused_with_what_is_missing(kind, changes, missing):
    with pytest.raises(IncompleteFacts, match=re.escape(missing)):
        compose(kind, "en", facts_for("en", **changes))


def test_unknown_locale_is_refused():
    with pytest.raises(ValueError):
        compose(MessageKind.SHIPPED, "fr", sample_facts("en"))


def test_merchant_overrides_replace_only_their_part():
    facts = sample_facts("zh-CN")
    overrides = {("shipped", "zh-CN", "subject"): "【{{ shop_name }}】{{ order_name }} 已寄出"}
    message = compose(MessageKind.SHIPPED, "zh-CN", facts, overrides=overrides)
    assert message.subject == "【山野手作陶瓷工作室】#1001 已寄出"
    assert message.text == compose(MessageKind.SHIPPED, "zh-CN", facts).text


def test_merchant_overrides_run_in_the_sandbox():
    overrides = {("shipped", "en", "subject"): "{{ shop_name.__class__.__mro__ }}"}
    with pytest.raises(SecurityError):
        compose(MessageKind.SHIPPED, "en", sample_facts("en"), overrides=overrides)


def test_minimal_facts_are_enough_for_a_shipping_notice():
    facts = MessageFacts(shop=Shop("Tiny Shop", "hi@tiny.example"), items=(Item("Mug"),), order_name="#7")
    message = compose(MessageKind.SHIPPED, "en", facts)
    assert message.text.startswith("Hi there,")
    assert "Track" not in message.text
