"""What a customer is offered for a stockout: substitutes to suggest and each option's compensation (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.choices.picks import MAX_PICKED_LINES, combined_key, pick_key
from app.domain.compensation import CompensationGrant, CompensationRule, Option, OrderFacts, grant_for
from app.domain.money import Money

PRICE_BAND = Decimal("0.30")
MAX_SUBSTITUTES = 3


@dataclass(frozen=True)
class ShortLine:
    """The line that cannot ship."""

    variant_gid: str | None
    product_gid: str | None
    product_type: str | None
    title: str
    unit_price: Decimal
    quantity_short: int
    line_gid: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A variant that might stand in for the short one."""

    variant_gid: str
    product_gid: str
    product_type: str | None
    title: str
    price: Decimal
    available: int
    for_sale: bool = True


@dataclass(frozen=True)
class OfferSpec:
    """One option as it will be shown: for a substitute, which variant and the price difference it brings."""

    key: str
    option: Option
    title: str = ""
    variant_gid: str | None = None
    unit_price: Decimal | None = None
    price_difference: Money | None = None
    refund_amount: Money | None = None
    grant: CompensationGrant | None = None
    line_gid: str | None = None


@dataclass(frozen=True)
class Pick:
    """The customer's substitute for one short line, as offered."""

    line_gid: str
    variant_gid: str
    title: str
    unit_price: Decimal


def _within_band(price: Decimal, reference: Decimal) -> bool:
    if reference <= 0:
        return price <= 0
    return abs(price - reference) <= reference * PRICE_BAND


def choose_substitutes(line: ShortLine, candidates: list[Candidate], limit: int = MAX_SUBSTITUTES) -> list[Candidate]:
    """In-stock variants of the same product first, then of the same product type, at a similar price (±30 %)."""
    usable = [
        c for c in candidates
        if c.variant_gid != line.variant_gid
        and c.for_sale
        and c.available >= max(line.quantity_short, 1)
        and _within_band(c.price, line.unit_price)
    ]
    same_product = [c for c in usable if line.product_gid and c.product_gid == line.product_gid]
    same_type = [
        c for c in usable
        if c not in same_product and line.product_type and c.product_type == line.product_type
    ]

    def closeness(c: Candidate) -> tuple:
        # Nearest price first; among equals, the best-stocked, so the substitute is still there when we edit.
        return abs(c.price - line.unit_price), -c.available, c.title, c.variant_gid

    return (sorted(same_product, key=closeness) + sorted(same_type, key=closeness))[:limit]


def build_offer(
    lines: list[ShortLine],
    order: OrderFacts,
    rules: dict[Option, CompensationRule],
    substitutes: Sequence[Sequence[Candidate]],
    *,
    refund_amount: Money,
    today: date,
) -> list[OfferSpec]:
    """Wait, then the substitutes (`substitutes[i]` for `lines[i]`), then refund, with their compensation."""
    # One short line: each substitute is an option of its own. Several: each line's candidates are offered to pick
    # from, one per line chosen together (`combine_picks`), only when every line has some and the set fits a key.
    offer = [OfferSpec(key="wait", option=Option.WAIT, grant=grant_for(rules[Option.WAIT], order, Option.WAIT, today=today))]
    if len(lines) == 1:
        offer += [_substitute(lines[0], c, order, rules, today, f"substitute:{c.variant_gid}")
                  for c in (substitutes[0] if substitutes else [])]
    elif len(lines) <= MAX_PICKED_LINES and len(substitutes) == len(lines) and all(substitutes):
        offer += [_substitute(line, c, order, rules, today, pick_key(c.variant_gid, line.line_gid), line.line_gid)
                  for line, found in zip(lines, substitutes) for c in found]
    refund_grant = grant_for(rules[Option.REFUND], order, Option.REFUND, refund_amount=refund_amount, today=today)
    offer.append(OfferSpec(key="refund", option=Option.REFUND, refund_amount=refund_amount, grant=refund_grant))
    return offer


def _substitute(line: ShortLine, candidate: Candidate, order: OrderFacts, rules: dict[Option, CompensationRule],
                today: date, key: str, line_gid: str | None = None) -> OfferSpec:
    difference = Money((candidate.price - line.unit_price) * line.quantity_short, order.currency).rounded()
    grant = grant_for(rules[Option.SUBSTITUTE], order, Option.SUBSTITUTE, substitute_price_difference=difference,
                      today=today)
    return OfferSpec(key=key, option=Option.SUBSTITUTE, title=candidate.title, variant_gid=candidate.variant_gid,
                     unit_price=candidate.price, price_difference=difference, grant=grant, line_gid=line_gid)


def combine_picks(
    lines: list[ShortLine], picks: Sequence[Pick], order: OrderFacts, rule: CompensationRule, *, today: date
) -> OfferSpec:
    """One substitute option from a pick per short line: the net price difference settled once by the rule."""
    # A dearer pick and a cheaper one offset each other, as they do on the edited order; what remains is covered up
    # to the rule's limit (the rest paid by the customer) or, when cheaper overall, refunded.
    by_line = {pick.line_gid: pick for pick in picks}
    if len(by_line) != len(picks) or {line.line_gid for line in lines} != set(by_line):
        raise ValueError("pick exactly one substitute for each short line")
    ordered = [by_line[line.line_gid] for line in lines]
    net = sum(((pick.unit_price - line.unit_price) * line.quantity_short for line, pick in zip(lines, ordered)),
              Decimal(0))
    difference = Money(net, order.currency).rounded()
    return OfferSpec(
        key=combined_key([pick_key(pick.variant_gid, pick.line_gid) for pick in ordered]), option=Option.SUBSTITUTE,
        title=" + ".join(pick.title for pick in ordered), price_difference=difference,
        grant=grant_for(rule, order, Option.SUBSTITUTE, substitute_price_difference=difference, today=today),
    )


def affected_subtotal(lines: list[ShortLine], currency: str) -> Money:
    """What the short units cost the customer."""
    total = sum((line.unit_price * line.quantity_short for line in lines), Decimal(0))
    return Money(total, currency).rounded()
