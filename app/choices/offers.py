"""A case's offer, kept in `case_offers`: built from the case, the shop's rules and any substitutes found."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import delete, select

from app import db
from app.choices.offer_policy import Candidate, OfferSpec, ShortLine, affected_subtotal, build_offer
from app.choices.rules import rules_for
from app.domain.compensation import CompensationGrant, CompensationKind, Option, OrderFacts, PriceDifference
from app.domain.money import Money
from app.models import StockoutCase
from app.models.cases import CaseOffer


def short_lines(case: StockoutCase, product_type: str | None = None) -> list[ShortLine]:
    """The case's lines that cannot ship, as the offer policy reads them."""
    return [
        ShortLine(
            variant_gid=line.variant_gid, product_gid=line.product_gid, product_type=product_type, title=line.title,
            unit_price=Decimal(line.unit_price), quantity_short=line.quantity_short,
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
    case: StockoutCase, substitutes: list[Candidate], refund_amount: Money | None = None,
    product_type: str | None = None,
) -> list[OfferSpec]:
    """The offer for a case from what we know; the refund preview defaults to the short units' price."""
    facts = order_facts(case)
    return build_offer(
        short_lines(case, product_type), facts, rules_for(case.shop_id), substitutes,
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
    """The case's offer rows in the order they are shown."""
    return list(db.session().scalars(
        select(CaseOffer)
        .where(CaseOffer.shop_id == case.shop_id, CaseOffer.case_id == case.id)
        .order_by(CaseOffer.position, CaseOffer.id)
    ))


def ensure_offer(case: StockoutCase) -> list[CaseOffer]:
    """The case's offer, built from local facts (wait and refund) when none was prepared yet."""
    return offers_for(case) or save_offer(case, compose_offer(case, []))


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
