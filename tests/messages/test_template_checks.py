"""Merchants' template edits: refused with reasons they can act on, previewed as the customer will see them."""

from dataclasses import replace

import pytest

from app.domain.messages import MessageKind, default_source
from app.domain.sms_segments import SegmentInfo
from app.domain.template_checks import TemplateProblem, check_template, preview, sample_facts

LOCALES = ("en", "zh-CN", "zh-TW")
PARTS = ("subject", "txt", "html", "sms")

GOOD_STOCKOUT_TXT = """Hi {{ customer_name }}, we're sorry: {{ first_item }} from {{ order_name }} is out of stock.
{% if restock_date %}Back on {{ restock_date }}.{% else %}{{ no_date_text }}{% endif %}
Choose here: {{ choice_link }}
{{ shop_name }} · {{ shop_email }}
"""


def reasons_for(kind, locale, part, source):
    return " | ".join(check_template(kind, locale, part, source))


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", list(MessageKind))
def test_our_own_templates_pass_the_checks(kind, locale, part):
    assert check_template(kind, locale, part, default_source(kind, locale, part)) == []


def test_a_short_merchant_template_with_every_element_passes():
    assert check_template("stockout_notice", "en", "txt", GOOD_STOCKOUT_TXT) == []


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("{% if restock_date %}", "line 1"),
        ("Hello {{ order_name", "line 1"),
        ("{{ shop_name.__class__.__mro__ }}", "may not"),
        ("{{ ().__class__.__base__.__subclasses__() }}", "may not"),
        ("{{ 'x' * 100000000 }}", "may not"),
        ("{{ '%s' % shop_name }}", "may not"),
        ("{{ '{:>999999999}'.format(1) }}", "may not"),
        ("{{ 9 ** 99999999 }}", "may not"),
        ("{{ shop_name|center(999999999) }}", "line 1"),
        ("{{ customer_email }}", "does not exist"),
        ("{{ 1 / 0 }}", "fails on the sample"),
    ],
)
def test_templates_that_cannot_render_safely_are_refused(source, reason):
    assert reason in reasons_for("stockout_notice", "en", "txt", source)


@pytest.mark.parametrize(
    ("remove", "reason"),
    [
        ("we're sorry: ", "must apologise"),
        ("{{ choice_link }}", "choice_link"),
        ("{{ shop_name }} · {{ shop_email }}", "shop_email"),
        ("{{ order_name }}", "order_name"),
        ("{{ first_item }}", "must name the item"),
        ("{{ no_date_text }}", "no date yet"),
        ("Back on {{ restock_date }}.", "restock_date"),
    ],
)
def test_a_stockout_notice_lacking_an_element_is_refused_with_the_reason(remove, reason):
    source = GOOD_STOCKOUT_TXT.replace(remove, "")
    assert source != GOOD_STOCKOUT_TXT
    assert reason in reasons_for("stockout_notice", "en", "txt", source)


@pytest.mark.parametrize(
    ("locale", "word"), [("en", "soon"), ("en", "being checked"), ("zh-CN", "尽快"), ("zh-CN", "稍后"), ("zh-TW", "盡快")]
)
def test_vague_wording_is_refused(locale, word):
    source = default_source("stockout_notice", locale, "txt").replace("{{ no_date_text }}", "{{ no_date_text }}" + word)
    source = source.replace("{{ order_name }}", "{{ order_name }} " + word, 1)
    assert "vague" in reasons_for("stockout_notice", locale, "txt", source)


def test_apology_is_recognised_in_chinese():
    source = default_source("stockout_notice", "zh-TW", "txt").replace("非常抱歉。", "").replace("再次向您致歉。", "")
    assert "must apologise" in reasons_for("stockout_notice", "zh-TW", "txt", source)


@pytest.mark.parametrize(
    ("locale", "source", "reason"),
    [
        ("en", "Order {{ order_name }}: {{ choice_link }} [{{ sms_shop }}]", "must start with the shop name"),
        ("zh-CN", "[{{ sms_shop }}]订单{{ order_name }}缺货，预计{{ restock_date }}到货：{{ choice_link }}", "【"),
        ("zh-CN", "【别的店】订单{{ order_name }}缺货，预计{{ restock_date }}到货：{{ choice_link }}", "shop name"),
        ("en", "[{{ sms_shop }}] {{ order_name }} " + "very long words " * 20 + "{{ choice_link }} {{ restock_date }}",
         "keep it to 2"),
        ("zh-TW", "【{{ sms_shop }}】訂單{{ order_name }}" + "很抱歉" * 30 + "{{ choice_link }}{{ restock_date }}",
         "segments"),
        ("en", "[{{ sms_shop }}] Order {{ order_name }} is late. {{ choice_link }}", "restock_date"),
    ],
)
def test_sms_templates_must_lead_with_the_shop_and_stay_within_two_segments(locale, source, reason):
    assert reason in reasons_for("stockout_notice", locale, "sms", source)


def test_marketing_needs_its_unsubscribe_link_and_sms_opt_out():
    txt = default_source("back_in_stock", "en", "txt").replace("{{ unsubscribe_link }}", "")
    assert "unsubscribe_link" in reasons_for("back_in_stock", "en", "txt", txt)
    sms = default_source("back_in_stock", "zh-CN", "sms").replace("回复TD退订", "")
    assert "回复TD退订" in reasons_for("back_in_stock", "zh-CN", "sms", sms)


def test_html_must_keep_escaping_on():
    source = default_source("stockout_notice", "en", "html").replace("{{ item_list(items) }}", "{{ first_item|safe }}")
    assert "escaping" in reasons_for("stockout_notice", "en", "html", source)
    plain = source.replace("{{ first_item|safe }}", "{{ first_item }}")
    head, _, tail = plain.rpartition("{% endblock %}")
    head = head.replace("{% block body %}", "{% block body %}{% autoescape false %}")
    off = head + "{% endautoescape %}{% endblock %}" + tail
    assert "escaping" in reasons_for("stockout_notice", "en", "html", off)


def test_html_checks_read_what_the_customer_sees():
    source = default_source("stockout_notice", "en", "html")
    assert check_template("stockout_notice", "en", "html", source) == []
    assert "&amp;" in preview("stockout_notice", "en", "html", source)[0]


def test_oversized_sources_are_refused_before_rendering():
    assert "limit" in reasons_for("shipped", "en", "txt", "x" * 60_000)


def test_subjects_are_short_and_name_the_order():
    assert "order_name" in reasons_for("shipped", "en", "subject", "Your parcel")
    assert "keep a subject under" in reasons_for("shipped", "en", "subject", "{{ order_name }} " + "word " * 40)
    assert check_template("shipped", "en", "subject", "{{ order_name }} is on its way") == []


def test_preview_renders_sms_with_its_cost():
    rendered, info = preview("stockout_notice", "zh-CN", "sms", "【{{ sms_shop }}】{{ order_name }}：{{ choice_link }}")
    assert rendered == "【山野手作陶瓷工作室】#1001：https://sc.example.com/c/8fK2mQx7"
    assert info == SegmentInfo("UCS-2", len(rendered), 1)


def test_preview_of_our_template_and_of_other_facts():
    rendered, info = preview("shipped", "en", "txt")
    assert info is None and "Emma" in rendered
    other = replace(sample_facts("en"), customer_first_name="Noah")
    assert "Hi Noah," in preview("shipped", "en", "txt", facts=other)[0]


@pytest.mark.parametrize("source", ["{% for %}", "{{ nothing_here }}", "{{ ''.__class__ }}"])
def test_preview_of_a_broken_template_raises_with_reasons(source):
    with pytest.raises(TemplateProblem) as problem:
        preview("shipped", "en", "txt", source)
    assert problem.value.reasons


@pytest.mark.parametrize("locale", LOCALES)
def test_sample_facts_serve_every_kind(locale):
    for kind in MessageKind:
        for part in PARTS:
            assert preview(kind, locale, part)[0]
