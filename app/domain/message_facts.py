"""The plain facts a customer message is written from, and which facts each kind of message needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

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
class ItemSubstitute:
    """One short item of several and the substitute offered for it (the first of its candidates, then how many more)."""

    item: str
    title: str
    more: int = 0


@dataclass(frozen=True)
class SubstituteOption:
    """A substitute; with several short items, `per_item` holds each item's, picked item by item on the page."""

    link: str
    title: str
    per_item: tuple[ItemSubstitute, ...] = ()


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

