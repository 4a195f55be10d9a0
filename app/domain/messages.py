"""What a customer receives: one message kind, in their language, from plain facts, in four parts.

The facts live in message_facts and the template sandbox in message_sandbox; their public names are imported
here too, so callers keep importing from this module.
"""

from __future__ import annotations

import re
from typing import Any

from app.domain.locales import (
    NO_DATE_TEXT,
    REASONS,
    SUPPORTED,
    format_coupon_value,
    format_day,
    format_moment,
    format_money,
)
from app.domain.message_facts import (
    MARKETING_KINDS,
    ORDER_KINDS,
    Choice,
    Compensation,
    ComposedMessage,
    IncompleteFacts,
    Item,
    ItemSubstitute,
    MessageFacts,
    MessageKind,
    Options,
    RefundOption,
    Shop,
    SubstituteOption,
    TemplateOverrides,
    WaitOption,
    missing_facts,
)
from app.domain.message_sandbox import (
    TEMPLATES_DIR,
    MerchantSandbox,
    compile_template,
    default_source,
    environment,
    template_name,
)
from app.domain.sms_segments import count_segments, gsm_friendly

PARTS = ("subject", "txt", "html", "sms")


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
        "substitute": substitute and {
            "link": substitute.link,
            "title": substitute.title,
            "per_item": [{"item": pick.item, "title": pick.title, "more": pick.more} for pick in substitute.per_item],
        },
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
        "substitute_items": len(facts.options.substitute.per_item) if facts.options.substitute else 0,
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
