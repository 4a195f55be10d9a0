"""A case's offer, kept in `case_offers`: built from the case, the shop's rules and any substitutes found."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app import db
from app.choices.offer_policy import (
    Candidate,
    OfferSpec,
    Pick,
    ShortLine,
    affected_subtotal,
    build_offer,
    combine_picks,
)
from app.choices.picks import is_combined, number, pick_key, picks_in
from app.choices.rules import rules_for
from app.domain.compensation import CompensationGrant, CompensationKind, Option, OrderFacts, PriceDifference
from app.domain.money import Money
from app.models import CaseLine, StockoutCase
from app.models.cases import CaseOffer


def short_lines(case: StockoutCase, product_types: Mapping[str, str | None] | None = None) -> list[ShortLine]:
    """The case's lines that cannot ship, as the offer policy reads them (product types by line GID, if known)."""
    types = product_types or {}
    return [
        ShortLine(
            variant_gid=line.variant_gid, product_gid=line.product_gid, product_type=types.get(line.line_item_gid),
            title=line.title, unit_price=Decimal(line.unit_price), quantity_short=line.quantity_short,
            line_gid=line.line_item_gid,
        )
        for line in case.lines
        if line.quantity_short > 0
    ]


def order_facts(case: StockoutCase) -> OrderFacts:
    """The amounts the compensation engine computes from (never less than the short units)."""
    affected = affected_subtotal(short_lines(case), case.currency)
    subtotal = Money(case.order_total, case.currency) if case.order_total else affected
    return OrderFacts(subtotal=max(subtotal, affected), affected_subtotal=affected)


def compose_offer(
    case: StockoutCase, substitutes: Sequence[Sequence[Candidate]], refund_amount: Money | None = None,
    product_types: Mapping[str, str | None] | None = None,
) -> list[OfferSpec]:
    """The offer for a case from what we know (`substitutes[i]` for the i-th short line, refund at the short price)."""
    facts = order_facts(case)
    return build_offer(
        short_lines(case, product_types), facts, rules_for(case.shop_id), substitutes,
        refund_amount=refund_amount or facts.affected_subtotal, today=db.utcnow().date(),
    )


def save_offer(case: StockoutCase, specs: list[OfferSpec]) -> list[CaseOffer]:
    """Replace the case's offer with these options (only while nothing has been chosen from it)."""
    session = db.session()
    if case.choice is None:
        session.execute(delete(CaseOffer).where(CaseOffer.shop_id == case.shop_id, CaseOffer.case_id == case.id))
    existing = {row.key for row in offers_for(case)}
    for position, spec in enumerate(specs):
        if spec.key not in existing:
            session.add(_row(case, spec, position))
    session.flush()
    return offers_for(case)


def _row(case: StockoutCase, spec: OfferSpec, position: int) -> CaseOffer:
    return CaseOffer(
        shop_id=case.shop_id, case_id=case.id, key=spec.key, option=spec.option.value, position=position,
        variant_gid=spec.variant_gid, title=spec.title, unit_price=spec.unit_price,
        price_difference=spec.price_difference.amount if spec.price_difference else None,
        refund_amount=spec.refund_amount.amount if spec.refund_amount else None,
        currency=case.currency, grant=spec.grant.to_json() if spec.grant else None,
    )


def offers_for(case: StockoutCase) -> list[CaseOffer]:
    """The case's offer rows in the order they are shown (a set of picks made at choice time last)."""
    return list(db.session().scalars(
        select(CaseOffer)
        .where(CaseOffer.shop_id == case.shop_id, CaseOffer.case_id == case.id)
        .order_by(CaseOffer.position, CaseOffer.id)
    ))


def ensure_offer(case: StockoutCase) -> list[CaseOffer]:
    """The case's offer, built from local facts (wait and refund) when none was prepared yet."""
    return offers_for(case) or save_offer(case, compose_offer(case, []))


def combine(case: StockoutCase, pick_keys: Sequence[str]) -> CaseOffer:
    """The option for a substitute picked per short line, saved when first picked (ValueError if not offered)."""
    rows = [offer_by_key(case, key) for key in pick_keys]
    if any(row is None or len(picks_in(row.key)) != 1 for row in rows):
        raise ValueError(f"{list(pick_keys)!r} are not substitutes offered on case {case.id}")
    lines = {number(line.line_item_gid): line.line_item_gid for line in case.lines}
    picks = [Pick(line_gid=lines.get(picks_in(row.key)[0][1], ""), variant_gid=row.variant_gid, title=row.title,
                  unit_price=Decimal(row.unit_price)) for row in rows]
    spec = combine_picks(short_lines(case), picks, order_facts(case), rules_for(case.shop_id)[Option.SUBSTITUTE],
                         today=db.utcnow().date())
    session = db.session()
    session.commit()
    existing = offer_by_key(case, spec.key)
    if existing is not None:
        return existing
    session.add(_row(case, spec, len(offers_for(case))))
    try:
        session.commit()
    except IntegrityError:
        # The same picks sent from a second device at the same moment: theirs is saved, and identical.
        session.rollback()
    return offer_by_key(case, spec.key)


def picked_lines(case: StockoutCase, offer: CaseOffer) -> list[tuple[CaseLine, CaseOffer]]:
    """Each short line with the substitute row chosen for it: the one line of a single substitute, or each pick."""
    if not is_combined(offer.key):
        return [(next(line for line in case.lines if line.quantity_short > 0), offer)]
    lines = {number(line.line_item_gid): line for line in case.lines}
    return [(lines[line], offer_by_key(case, pick_key(variant, line))) for variant, line in picks_in(offer.key)]


def offer_by_key(case: StockoutCase, key: str) -> CaseOffer | None:
    """One option of the case's offer (`wait`, `refund`, `substitute:<variant gid>`)."""
    return db.session().scalars(
        select(CaseOffer).where(CaseOffer.shop_id == case.shop_id, CaseOffer.case_id == case.id, CaseOffer.key == key)
    ).first()


def grant_of(offer: CaseOffer) -> CompensationGrant | None:
    """The stored grant read back into the engine's value."""
    return grant_from_json(offer.grant) if offer.grant else None


def grant_from_json(data: dict) -> CompensationGrant:
    """The engine's grant from its JSON form (`CompensationGrant.to_json`)."""

    def money(value):
        return Money(value["amount"], value["currency"]) if value else None

    difference = data.get("price_difference")
    return CompensationGrant(
        option=Option(data["option"]), kind=CompensationKind(data["kind"]), amount=money(data.get("amount")),
        percent=Decimal(data["percent"]) if data.get("percent") is not None else None,
        free_shipping=bool(data.get("free_shipping")), priority_shipping=bool(data.get("priority_shipping")),
        minimum_order=money(data.get("minimum_order")),
        ends_on=date.fromisoformat(data["ends_on"]) if data.get("ends_on") else None,
        price_difference=PriceDifference(**{k: money(v) for k, v in difference.items()}) if difference else None,
    )
