"""Whether a merchant's edit of a message template may be saved, and what it looks like."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone
from decimal import Decimal

from jinja2 import TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError, UndefinedError

from app.domain.locales import NO_DATE_TEXT
from app.domain.messages import (
    MARKETING_KINDS,
    ORDER_KINDS,
    Compensation,
    Item,
    MessageFacts,
    MessageKind,
    Options,
    RefundOption,
    Shop,
    SubstituteOption,
    WaitOption,
    build_context,
    compile_template,
    render_part,
)
from app.domain.sms_segments import SegmentInfo, count_segments

MAX_SOURCE_CHARS = 50_000
MAX_SUBJECT_CHARS = 150

APOLOGY = {
    "en": re.compile(r"\b(sorry|apologi[sz]e|apologies)\b", re.IGNORECASE),
    "zh-CN": re.compile(r"抱歉|对不起|致歉|歉意"),
    "zh-TW": re.compile(r"抱歉|對不起|致歉|歉意"),
}
VAGUE = {
    "en": re.compile(r"\b(soon|shortly|asap|being checked|in due course)\b", re.IGNORECASE),
    "zh-CN": re.compile(r"稍后|尽快|很快|不久|核实中|核查中|正在确认"),
    "zh-TW": re.compile(r"稍後|盡快|儘快|很快|不久|核實中|確認中|正在確認"),
}
OPT_OUT = {"en": "Reply STOP to opt out", "zh-CN": "回复TD退订", "zh-TW": "回覆TD取消訂閱"}
HOSTILE_TITLE = "<script>alert(1)</script>"


class TemplateProblem(ValueError):
    """A template that cannot be rendered; reasons say why, in words a merchant can act on."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


_SAMPLE_SHOPS = {
    "en": (Shop("Juniper & Clay Ceramics", "hello@juniperandclay.com", "+1 503-555-0142", "USD", "en",
                "America/Los_Angeles"), "Emma", "Hand-thrown Stoneware Teapot", "Celadon / 1.2 L",
           "Matching Tea Cups, Set of 4", "Hand-thrown Stoneware Teapot in Sand"),
    "zh-CN": (Shop("山野手作陶瓷工作室", "kefu@shanye-taoci.cn", "021-5555-0142", "CNY", "zh-CN", "Asia/Shanghai"),
              "晓雯", "手工柴烧粗陶茶壶", "青瓷釉 / 1.2升", "同款品茗杯四只装", "手工柴烧粗陶茶壶（米白釉）"),
    "zh-TW": (Shop("山嵐手作陶藝", "service@shanlan-ceramics.tw", "02-2555-0142", "TWD", "zh-TW", "Asia/Taipei"),
              "怡君", "手拉坯柴燒茶壺", "青瓷釉／1.2公升", "同款品茗杯四入組", "手拉坯柴燒茶壺（米白釉）"),
}


def sample_facts(locale: str) -> MessageFacts:
    """Realistic facts in the locale's own words, complete enough for every kind of message."""
    shop, first_name, title, variant, second, substitute = _SAMPLE_SHOPS[locale]
    base = "https://sc.example.com/c/8fK2mQx7"
    coupon = Compensation("SORRY-10", Decimal("10.00"), date(2027, 3, 31))
    return MessageFacts(
        shop=shop,
        items=(Item(title, variant, 1), Item(second, None, 2)),
        order_name="#1001",
        customer_first_name=first_name,
        reason_code="supplier_delay",
        show_reason=True,
        restock_date=date(2026, 12, 8),
        previous_restock_date=date(2026, 11, 28),
        options=Options(
            wait=WaitOption(f"{base}/wait", coupon, priority_shipping=True),
            substitute=SubstituteOption(f"{base}/swap", substitute),
            refund=RefundOption(f"{base}/refund", Decimal("86.00"), 10, Compensation("THANKS-15", Decimal("15.00"))),
        ),
        choice="wait",
        default_choice="wait",
        deadline=datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc),
        compensation=coupon,
        choice_link=base,
        cancel_link=f"{base}/cancel",
        unsubscribe_link="https://sc.example.com/u/Qm3xT9",
        product_link="https://juniperandclay.com/products/stoneware-teapot",
        tracking_link="https://track.example.com/1Z999AA10123456784",
        rating_links=tuple(f"{base}/rate/{score}" for score in range(1, 6)),
    )


@dataclass(frozen=True)
class _Rendered:
    """One template rendered with a restock date and without one, with what it was given."""

    locale: str
    dated: str
    undated: str
    context: dict


Requirement = Callable[[_Rendered], "str | None"]


def _shows(name: str, reason: str) -> Requirement:
    def check(rendered: _Rendered) -> str | None:
        value = rendered.context[name]
        return None if value and str(value) in rendered.dated else reason

    return check


def _apologises(rendered: _Rendered) -> str | None:
    if APOLOGY[rendered.locale].search(rendered.dated):
        return None
    return "must apologise to the customer (for example “We're sorry” / “非常抱歉”)"


def _restock(rendered: _Rendered) -> str | None:
    if rendered.context["restock_date"] not in rendered.dated:
        return "must show the restock date ({{ restock_date }}) when there is one"
    if NO_DATE_TEXT[rendered.locale] not in rendered.undated:
        return "must say honestly that there is no date yet ({{ no_date_text }}) when there is none"
    return None


def _item(rendered: _Rendered) -> str | None:
    if rendered.context["items"][0]["title"] in rendered.dated:
        return None
    return "must name the item ({{ first_item }}, or each {{ item.name }} of {{ items }})"


def _contact(rendered: _Rendered) -> str | None:
    email, phone = rendered.context["shop_email"], rendered.context["shop_phone"]
    if email in rendered.dated or (phone and phone in rendered.dated):
        return None
    return "must give the shop's contact ({{ shop_email }} or {{ shop_phone }})"


def _not_vague(rendered: _Rendered) -> str | None:
    for text in (rendered.dated, rendered.undated):
        if found := VAGUE[rendered.locale].search(text):
            return f"uses vague wording (“{found.group(0)}”): give the date, or the honest no-date wording"
    return None


def _shop_first(rendered: _Rendered) -> str | None:
    opening, closing = ("[", "]") if rendered.locale == "en" else ("【", "】")
    shop = rendered.context["shop_name"]
    for text in (rendered.dated, rendered.undated):
        named = text[1:].split(closing, 1)[0].rstrip("…").rstrip(".")
        if not (text.startswith(opening) and closing in text and named and shop.startswith(named)):
            return f"must start with the shop name in brackets, like {opening}{{{{ sms_shop }}}}{closing}"
    return None


def _two_segments(rendered: _Rendered) -> str | None:
    worst = max((count_segments(text) for text in (rendered.dated, rendered.undated)), key=lambda s: s.segments)
    if worst.segments <= 2:
        return None
    cost = f"{worst.characters} {worst.encoding} characters"
    return f"is {worst.segments} SMS segments on the sample ({cost}); keep it to 2"


def _opt_out(rendered: _Rendered) -> str | None:
    phrase = OPT_OUT[rendered.locale]
    return None if phrase in rendered.dated else f"must tell the customer how to opt out (“{phrase}”)"


def _subject_line(rendered: _Rendered) -> str | None:
    if not rendered.dated.strip():
        return "must not be empty"
    if len(rendered.dated) > MAX_SUBJECT_CHARS:
        return f"is {len(rendered.dated)} characters; keep a subject under {MAX_SUBJECT_CHARS}"
    return None


_ORDER = _shows("order_name", "must show the order name ({{ order_name }})")
_SHOP = _shows("shop_name", "must name the shop ({{ shop_name }})")
_CHOICE = _shows("choice_link", "must include the link where the customer chooses ({{ choice_link }})")
_CANCEL = _shows("cancel_link", "must include the one-tap cancel link ({{ cancel_link }})")
_UNSUBSCRIBE = _shows("unsubscribe_link", "must include the unsubscribe link ({{ unsubscribe_link }})")
_RESTOCK_DAY = _shows("restock_date", "must show the restock date ({{ restock_date }}) when there is one")

_SPECIFIC: dict[tuple[MessageKind, str], tuple[Requirement, ...]] = {
    (MessageKind.STOCKOUT_NOTICE, "body"): (_SHOP, _item, _apologises, _restock, _CHOICE, _not_vague),
    (MessageKind.STOCKOUT_NOTICE, "subject"): (_not_vague,),
    (MessageKind.STOCKOUT_NOTICE, "sms"): (_CHOICE, _RESTOCK_DAY, _not_vague),
    (MessageKind.BACKORDER_UPDATE, "body"): (_item, _restock, _CANCEL, _not_vague),
    (MessageKind.BACKORDER_UPDATE, "sms"): (_CANCEL, _not_vague),
    (MessageKind.BACK_IN_STOCK, "body"): (_item, _UNSUBSCRIBE),
}


def requirements(kind: str, part: str) -> tuple[Requirement, ...]:
    """What a template for this kind and part must contain to be saved."""
    kind = MessageKind(kind)
    area = "body" if part in ("txt", "html") else part
    order = (_ORDER,) if kind in ORDER_KINDS else ()
    if part == "subject":
        general = (_subject_line, *order)
    elif part == "sms":
        general = (_shop_first, _two_segments, *order, *((_opt_out,) if kind in MARKETING_KINDS else ()))
    else:
        general = (*order, _contact)
    return general + _SPECIFIC.get((kind, area), ())


def _render_or_problem(kind: str, locale: str, part: str, facts: MessageFacts, source: str | None) -> str:
    try:
        return render_part(kind, locale, part, facts, source=source)
    except TemplateSyntaxError as error:
        raise TemplateProblem([f"line {error.lineno}: {error.message}"]) from error
    except SecurityError as error:
        raise TemplateProblem([f"uses something message templates may not: {error}"]) from error
    except UndefinedError as error:
        raise TemplateProblem([f"uses a value that does not exist: {error.message}"]) from error
    except TemplateError as error:
        raise TemplateProblem([f"cannot be rendered: {error}"]) from error
    except (TypeError, ValueError, ArithmeticError, LookupError) as error:
        raise TemplateProblem([f"fails on the sample order: {error}"]) from error


def check_template(kind: str, locale: str, part: str, source: str) -> list[str]:
    """Reasons to refuse a merchant's template; empty when it may be saved."""
    if len(source) > MAX_SOURCE_CHARS:
        return [f"is {len(source)} characters; the limit is {MAX_SOURCE_CHARS}"]
    try:
        compile_template(part, source)
        facts = sample_facts(locale)
        undated_facts = replace(facts, restock_date=None, previous_restock_date=None)
        dated = _render_or_problem(kind, locale, part, facts, source)
        undated = _render_or_problem(kind, locale, part, undated_facts, source)
        hostile_facts = replace(facts, items=(Item(HOSTILE_TITLE),) + facts.items[1:])
        hostile = _render_or_problem(kind, locale, part, hostile_facts, source) if part == "html" else ""
    except TemplateSyntaxError as error:
        return [f"line {error.lineno}: {error.message}"]
    except TemplateProblem as problem:
        return problem.reasons
    if part == "html":
        # Checks read what the customer sees: "Juniper & Clay" is written "Juniper &amp; Clay" in the source.
        dated, undated = html.unescape(dated), html.unescape(undated)
    rendered = _Rendered(locale, dated, undated, build_context(kind, locale, facts))
    reasons = [reason for check in requirements(kind, part) if (reason := check(rendered))]
    if "<script" in hostile:
        reasons.append("must not switch off escaping (|safe or autoescape false): a product title could inject code")
    return reasons


def preview(
    kind: str, locale: str, part: str, source: str | None = None, facts: MessageFacts | None = None
) -> tuple[str, SegmentInfo | None]:
    """The rendered part for the admin's live preview, with its SMS cost when it is an SMS."""
    try:
        if source is not None:
            compile_template(part, source)
    except TemplateSyntaxError as error:
        raise TemplateProblem([f"line {error.lineno}: {error.message}"]) from error
    rendered = _render_or_problem(kind, locale, part, facts or sample_facts(locale), source)
    return rendered, count_segments(rendered) if part == "sms" else None
