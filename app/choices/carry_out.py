"""Carrying out a recorded choice through the Admin API: each outside action keyed, the case settled after."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from app import db
from app.choices import coupons, offers, order_edits, refunds, side_effects
from app.choices.picks import allocate_cover
from app.choices.shopify_order import GraphQLClient
from app.models import CaseEvent, StockoutCase
from app.models.cases import CaseOffer
from app.shopify import documents

PRIORITY_TAG = "stockout-priority"
DEFAULT_SOURCES = ("default", "delay_no_consent")


@dataclass(frozen=True)
class Done:
    """What was carried out, and which messages tell the customer."""

    choice: str
    messages: tuple[str, ...]


def chosen_offer(case: StockoutCase) -> CaseOffer | None:
    """The offer row the case's current choice was made from."""
    return db.session().scalars(
        select(CaseOffer)
        .where(CaseOffer.shop_id == case.shop_id, CaseOffer.case_id == case.id, CaseOffer.option == case.choice)
        .where(CaseOffer.chosen_at.is_not(None))
        .order_by(CaseOffer.chosen_at.desc())
    ).first()


def choice_source(case: StockoutCase) -> str | None:
    """Who made the case's latest choice: customer, merchant, default, delay_no_consent…"""
    event = db.session().scalars(
        select(CaseEvent)
        .where(CaseEvent.shop_id == case.shop_id, CaseEvent.case_id == case.id, CaseEvent.kind == "choice_made")
        .order_by(CaseEvent.id.desc())
    ).first()
    return event.detail.get("source") if event else None


def _carried_out(case: StockoutCase) -> bool:
    """Whether the current choice was already carried out (a duplicate job finds nothing left to do)."""
    events = db.session().scalars(
        select(CaseEvent.detail)
        .where(CaseEvent.shop_id == case.shop_id, CaseEvent.case_id == case.id)
        .where(CaseEvent.kind == "choice_carried_out")
    )
    return any(detail.get("choice") == case.choice for detail in events)


def tag_priority(client: GraphQLClient, case: StockoutCase) -> dict:
    """Flag a waiting order so it is served first when stock arrives."""
    return side_effects.perform(
        case.shop_id, case.id, "tag", f"tag:{case.shop_id}:{case.id}", {"tags": [PRIORITY_TAG]},
        lambda _row: client.graphql(documents.TAGS_ADD, id=case.order_gid, tags=[PRIORITY_TAG])["tagsAdd"]["node"],
    )


def untag_priority(client: GraphQLClient, case: StockoutCase) -> dict | None:
    """A customer who waited and then left the line no longer holds a place in it."""
    if side_effects.find(f"tag:{case.shop_id}:{case.id}") is None:
        return None
    return side_effects.perform(
        case.shop_id, case.id, "untag", f"untag:{case.shop_id}:{case.id}", {"tags": [PRIORITY_TAG]},
        lambda _row: client.graphql(documents.TAGS_REMOVE, id=case.order_gid, tags=[PRIORITY_TAG])["tagsRemove"]["node"],
    )


def _settle(case: StockoutCase, detail: dict) -> None:
    session = db.session()
    if case.choice != "wait" and case.resolved_at is None:
        case.status, case.resolved_at = "resolved", db.utcnow()
    session.add(CaseEvent(shop_id=case.shop_id, case_id=case.id, kind="choice_carried_out", detail=detail))
    session.commit()


def _refund(client: GraphQLClient, case: StockoutCase, offer: CaseOffer) -> dict:
    result = refunds.refund_short_lines(client, case)
    if result.get("refund_id"):
        offer.refund_amount = Decimal(result["amount"])
        offer.refund_gateway = result.get("gateway") or offer.refund_gateway
    db.session().commit()
    return result


def _substitute(client: GraphQLClient, case: StockoutCase, offer: CaseOffer, grant) -> dict:
    settled = grant.price_difference if grant else None
    covered = settled.covered.amount if settled else Decimal(0)
    picked = offers.picked_lines(case, offer)
    shares = allocate_cover(covered, [Decimal(row.price_difference or 0) for _, row in picked])
    swaps = [order_edits.Swap(line, row.variant_gid, share) for (line, row), share in zip(picked, shares)]
    result = {"edit": order_edits.swap_lines(client, case, swaps)}
    applied = sum((order_edits.per_unit(swap.covered, swap.line.quantity_short, case.currency)
                   * swap.line.quantity_short for swap in swaps), Decimal(0))
    coupons.record_covered_difference(case, applied)
    if settled is not None and settled.refund.amount > 0:
        result["refund"] = refunds.refund_difference(client, case, settled.refund.amount)
    if settled is not None and settled.customer_pays.amount > 0:
        result["invoice"] = order_edits.send_invoice(client, case, settled.customer_pays.amount)
    return result


def carry_out(client: GraphQLClient, case: StockoutCase) -> Done | None:
    """Do what the customer chose (refund, order edit, priority tag) and grant its coupon; None if nothing to do."""
    offer = chosen_offer(case) if case.choice else None
    if offer is None or _carried_out(case):
        return None
    grant = offers.grant_of(offer)
    confirm = "default_applied" if choice_source(case) in DEFAULT_SOURCES else "choice_confirmed"
    if case.choice == "wait":
        detail = {"tag": tag_priority(client, case)}
        messages = (confirm,)
    elif case.choice == "refund":
        detail = {"refund": _refund(client, case, offer), "untag": untag_priority(client, case)}
        messages = (confirm, "refund_done") if detail["refund"].get("refund_id") else (confirm,)
    else:
        detail = {**_substitute(client, case, offer, grant), "untag": untag_priority(client, case)}
        messages = (confirm,)
    coupon = coupons.grant_coupon(client, case, grant)
    detail["coupon"] = coupon.coupon_code if coupon else None
    _settle(case, {"choice": case.choice, **detail})
    return Done(case.choice, messages)
