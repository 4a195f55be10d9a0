"""What a customer receives: one message kind, in their language, from plain facts, in four parts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import FileSystemLoader, StrictUndefined, Template
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from app.domain.locales import (
    NO_DATE_TEXT,
    REASONS,
    SUPPORTED,
    format_coupon_value,
    format_day,
    format_moment,
    format_money,
)
from app.domain.sms_segments import count_segments, gsm_friendly

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "messages"
PARTS = ("subject", "txt", "html", "sms")
Choice = Literal["wait", "substitute", "refund"]


class MessageKind(StrEnum):
    STOCKOUT_NOTICE = "stockout_notice"
    BACKORDER_UPDATE = "backorder_update"
    RESTOCK = "restock"
    SHIPPED = "shipped"
    REFUND_DONE = "refund_done"
    COMPENSATION_COUPON = "compensation_coupon"
    BACK_IN_STOCK = "back_in_stock"
    SATISFACTION_FOLLOWUP = "satisfaction_followup"
    CHOICE_CONFIRMED = "choice_confirmed"
    DEFAULT_APPLIED = "default_applied"


MARKETING_KINDS = frozenset({MessageKind.BACK_IN_STOCK})


@dataclass(frozen=True)
class Shop:
    name: str
    contact_email: str
    contact_phone: str | None = None
    currency: str = "USD"
    locale: str = "en"
    timezone: str = "UTC"
    sms_opt_out_on_transactional: bool = True


@dataclass(frozen=True)
class Item:
    title: str
    variant_title: str | None = None
    quantity_short: int = 1


@dataclass(frozen=True)
class Compensation:
    """A coupon we give: its code, its value (an amount in the shop currency, a percentage, or free shipping)."""

    code: str
    amount: Decimal | None = None
    ends_on: date | None = None
    percent: Decimal | None = None
    free_shipping: bool = False


@dataclass(frozen=True)
class WaitOption:
    link: str
    compensation: Compensation | None = None
    priority_shipping: bool = False


@dataclass(frozen=True)
class SubstituteOption:
    link: str
    title: str


@dataclass(frozen=True)
class RefundOption:
    link: str
    amount: Decimal
    arrives_within_days: int = 10
    compensation: Compensation | None = None


@dataclass(frozen=True)
class Options:
    """The offer as presented; for confirmations and refunds, the option concerned."""

    wait: WaitOption | None = None
    substitute: SubstituteOption | None = None
    refund: RefundOption | None = None


@dataclass(frozen=True)
class MessageFacts:
    shop: Shop
    items: tuple[Item, ...]
    order_name: str | None = None
    customer_first_name: str | None = None
    reason_code: str | None = None
    show_reason: bool = False
    restock_date: date | None = None
    previous_restock_date: date | None = None
    options: Options = field(default_factory=Options)
    choice: Choice | None = None
    default_choice: Choice | None = None
    deadline: datetime | None = None
    compensation: Compensation | None = None
    choice_link: str | None = None
    cancel_link: str | None = None
    unsubscribe_link: str | None = None
    product_link: str | None = None
    tracking_link: str | None = None
    rating_links: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComposedMessage:
    subject: str
    text: str
    html: str
    sms: str


# Merchant-edited sources keyed by (kind, locale, part); missing keys fall back to our templates.
TemplateOverrides = Mapping[tuple[str, str, str], str]


class IncompleteFacts(ValueError):
    """The facts lack something this kind of message cannot be written without."""


class MerchantSandbox(SandboxedEnvironment):
    """The sandbox, also refusing the few operations that could exhaust a worker's memory."""

    intercepted_binops = frozenset({"*", "**", "%"})
    _unsafe_text_methods = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise SecurityError("%-formatting is not available in message templates")
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError("powers above 64 are not available in message templates")
        if operator == "*" and _repeats_too_much(left, right):
            raise SecurityError("repeating text or lists more than 1000 times is not available in message templates")
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Any:
        if getattr(value, "__name__", None) in ("format", "format_map") and isinstance(
            getattr(value, "__self__", None), str
        ):
            raise SecurityError("str.format is not available in message templates")
        return super().wrap_str_format(value)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr in self._unsafe_text_methods:
            return False
        return super().is_safe_attribute(obj, attr, value)


def _repeats_too_much(left: Any, right: Any) -> bool:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(count, int) and count > 1000:
            return True
    return False


@lru_cache(maxsize=2)
def environment(html: bool) -> MerchantSandbox:
    """The sandbox our templates and merchants' edits render in; HTML parts autoescape."""
    env = MerchantSandbox(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    for name in ("center", "format", "indent", "slice", "wordwrap"):
        env.filters.pop(name, None)
    return env


def template_name(kind: str, locale: str, part: str) -> str:
    return f"{MessageKind(kind).value}/{locale}.{part}.j2"


def compile_template(part: str, source: str) -> Template:
    """A merchant's template source, compiled in the sandbox for that part."""
    return environment(part == "html").from_string(source)


def default_source(kind: str, locale: str, part: str) -> str:
    """Our own template text, the starting point for a merchant's edit."""
    return (TEMPLATES_DIR / template_name(kind, locale, part)).read_text(encoding="utf-8")


_REQUIRED = {
    MessageKind.STOCKOUT_NOTICE: ("order_name", "choice_link"),
    MessageKind.BACKORDER_UPDATE: ("order_name", "cancel_link"),
    MessageKind.RESTOCK: ("order_name",),
    MessageKind.SHIPPED: ("order_name",),
    MessageKind.REFUND_DONE: ("order_name", "options.refund"),
    MessageKind.COMPENSATION_COUPON: ("compensation",),
    MessageKind.BACK_IN_STOCK: ("product_link", "unsubscribe_link"),
    MessageKind.SATISFACTION_FOLLOWUP: ("order_name", "choice_link", "rating_links"),
    MessageKind.CHOICE_CONFIRMED: ("order_name", "choice", "options.<choice>"),
    MessageKind.DEFAULT_APPLIED: ("order_name", "choice", "options.<choice>", "deadline"),
}


# Kinds that speak about one order, so their messages must name it.
ORDER_KINDS = frozenset(kind for kind, needs in _REQUIRED.items() if "order_name" in needs)


def missing_facts(kind: str, facts: MessageFacts) -> list[str]:
    """The facts this kind needs that are absent; empty when the message can be written."""
    missing = [] if facts.items else ["items"]
    for need in _REQUIRED[MessageKind(kind)]:
        if need == "options.<choice>":
            if facts.choice and getattr(facts.options, facts.choice) is None:
                missing.append(f"options.{facts.choice}")
        elif need == "options.refund":
            if facts.options.refund is None:
                missing.append(need)
        elif need == "rating_links":
            if len(facts.rating_links) != 5:
                missing.append("rating_links (five, for scores 1 to 5)")
        elif not getattr(facts, need):
            missing.append(need)
    return missing


def _name(item: Item, locale: str) -> str:
    variant = item.variant_title if item.variant_title not in (None, "", "Default Title") else None
    if not variant:
        return item.title
    return f"{item.title} ({variant})" if locale == "en" else f"{item.title}（{variant}）"


def _money(amount: Any, currency: str, locale: str) -> str:
    """An amount written for the locale; a Money value brings its own currency."""
    if hasattr(amount, "currency"):
        return format_money(amount.amount, amount.currency, locale)
    return format_money(amount, currency, locale)


def _coupon(value: Compensation | None, currency: str, locale: str) -> dict | None:
    if value is None:
        return None
    amount = _money(value.amount, currency, locale) if value.amount is not None else None
    return {
        "code": value.code,
        "amount": format_coupon_value(amount, value.percent, value.free_shipping, locale),
        "ends_on": format_day(value.ends_on, locale) if value.ends_on else None,
    }


def _options(options: Options, currency: str, locale: str) -> dict:
    wait, substitute, refund = options.wait, options.substitute, options.refund
    return {
        "wait": wait and {
            "link": wait.link,
            "priority_shipping": wait.priority_shipping,
            "compensation": _coupon(wait.compensation, currency, locale),
        },
        "substitute": substitute and {"link": substitute.link, "title": substitute.title},
        "refund": refund and {
            "link": refund.link,
            "amount": _money(refund.amount, currency, locale),
            "days": refund.arrives_within_days,
            "compensation": _coupon(refund.compensation, currency, locale),
        },
    }


def build_context(kind: str, locale: str, facts: MessageFacts) -> dict[str, Any]:
    """The plain values a template sees: every name always present, formatted for the locale."""
    shop, currency = facts.shop, facts.shop.currency
    items = [
        {
            "name": _name(item, locale),
            "title": item.title,
            "quantity": item.quantity_short,
            "label": _name(item, locale) + (f" × {item.quantity_short}" if item.quantity_short > 1 else ""),
        }
        for item in facts.items
    ]
    reason = REASONS.get(facts.reason_code or "", {}).get(locale) if facts.show_reason else None
    return {
        "locale": locale,
        "shop_name": shop.name,
        "shop_email": shop.contact_email,
        "shop_phone": shop.contact_phone,
        "customer_name": facts.customer_first_name,
        "order_name": facts.order_name,
        "items": items,
        "first_item": items[0]["name"] if items else "",
        "more_items": max(len(items) - 1, 0),
        "reason": reason,
        "restock_date": format_day(facts.restock_date, locale) if facts.restock_date else None,
        "previous_restock_date": (
            format_day(facts.previous_restock_date, locale) if facts.previous_restock_date else None
        ),
        "no_date_text": NO_DATE_TEXT[locale],
        **_options(facts.options, currency, locale),
        "choice": facts.choice,
        "default_choice": facts.default_choice,
        "deadline": format_moment(facts.deadline, shop.timezone, locale) if facts.deadline else None,
        "compensation": _coupon(facts.compensation, currency, locale),
        "choice_link": facts.choice_link,
        "cancel_link": facts.cancel_link,
        "unsubscribe_link": facts.unsubscribe_link,
        "product_link": facts.product_link,
        "tracking_link": facts.tracking_link,
        "rating_links": list(facts.rating_links),
        "marketing": kind in MARKETING_KINDS,
        "opt_out": kind in MARKETING_KINDS or shop.sms_opt_out_on_transactional,
        "sms_shop": shop.name,
        "sms_item": items[0]["name"] if items else "",
    }


# Shortening steps for SMS (shop name, item name) so a long name costs words, not a third segment.
_SMS_CLIPS = ((40, 60), (24, 32), (16, 18), (12, 10), (10, 6))
# The last resort: an item name that still does not fit (say, Chinese in an English SMS) is not named.
_UNNAMED_ITEM = {"en": "your item", "zh-CN": "商品", "zh-TW": "商品"}


def clip(text: str, limit: int) -> str:
    """The text cut to at most limit characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _tidy(part: str, text: str, locale: str) -> str:
    if part == "subject":
        return " ".join(text.split())
    if part == "sms":
        text = " ".join(text.split())
        return gsm_friendly(text) if locale == "en" else text
    if part == "txt":
        text = "\n".join(line.rstrip() for line in text.splitlines())
        return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
    return text.strip() + "\n"


def render_part(kind: str, locale: str, part: str, facts: MessageFacts, *, source: str | None = None) -> str:
    """One part of one message, from our template or from a merchant's source."""
    if locale not in SUPPORTED:
        raise ValueError(f"locale {locale!r} is not one of {SUPPORTED}")
    if part not in PARTS:
        raise ValueError(f"part {part!r} is not one of {PARTS}")
    missing = missing_facts(kind, facts)
    if missing:
        raise IncompleteFacts(f"{kind} needs {', '.join(missing)}")
    env = environment(part == "html")
    template = env.get_template(template_name(kind, locale, part)) if source is None else env.from_string(source)
    context = build_context(kind, locale, facts)
    if part != "sms":
        return _tidy(part, template.render(context), locale)
    shop, item = facts.shop.name, context["first_item"]
    attempts = [(clip(shop, shop_limit), clip(item, item_limit)) for shop_limit, item_limit in _SMS_CLIPS]
    attempts.append((clip(shop, _SMS_CLIPS[-1][0]), _UNNAMED_ITEM[locale]))
    for sms_shop, sms_item in attempts:
        text = _tidy(part, template.render({**context, "sms_shop": sms_shop, "sms_item": sms_item}), locale)
        if count_segments(text).segments <= 2:
            break
    return text


def compose(
    kind: MessageKind | str, locale: str, facts: MessageFacts, *, overrides: TemplateOverrides | None = None
) -> ComposedMessage:
    """The subject, plain text, HTML and SMS of one message to one customer."""
    sources = overrides or {}
    parts = {
        part: render_part(kind, locale, part, facts, source=sources.get((str(kind), locale, part))) for part in PARTS
    }
    return ComposedMessage(subject=parts["subject"], text=parts["txt"], html=parts["html"], sms=parts["sms"])
