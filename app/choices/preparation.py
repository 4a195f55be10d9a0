"""Preparing a case's offer from Shopify: substitutes in stock, and the refund Shopify would suggest."""

from __future__ import annotations

from decimal import Decimal

from app import db
from app.choices import offers
from app.choices.offer_policy import Candidate, choose_substitutes
from app.choices.picks import MAX_PICKED_LINES
from app.choices.refunds import plan_refund
from app.choices.shopify_order import GraphQLClient, OrderSnapshot, fetch_order
from app.domain.money import Money
from app.models import StockoutCase
from app.models.cases import CaseOffer
from app.shopify import documents

NO_PRODUCT = "id:0"


def _title(product: dict, variant: dict) -> str:
    if variant["title"] in ("", "Default Title"):
        return product["title"]
    return f"{product['title']} ({variant['title']})"


def candidates(data: dict) -> list[Candidate]:
    """Every variant the query found, the short product's own first."""
    products = ([data["product"]] if data.get("product") else []) + list(data["products"]["nodes"])
    found, seen = [], set()
    for product in products:
        for variant in product["variants"]["nodes"]:
            if variant["id"] in seen:
                continue
            seen.add(variant["id"])
            found.append(Candidate(
                variant_gid=variant["id"], product_gid=product["id"], product_type=product.get("productType") or None,
                title=_title(product, variant), price=Decimal(variant["price"]),
                available=int(variant.get("inventoryQuantity") or 0),
                for_sale=bool(variant.get("availableForSale")) and product.get("status") == "ACTIVE",
            ))
    return found


def _same_type_query(product_type: str | None) -> str:
    if not product_type:
        return NO_PRODUCT
    cleaned = product_type.replace("'", "").replace('"', "")
    return f"product_type:'{cleaned}' status:active"


def _refund_preview(client: GraphQLClient, case: StockoutCase, order: OrderSnapshot) -> Money:
    short = {line.line_item_gid: line.quantity_short for line in case.lines if line.quantity_short > 0}
    plan = plan_refund(order, short)
    if not plan.lines:
        return offers.order_facts(case).affected_subtotal
    suggested = client.graphql(
        documents.ORDER_REFUND_SUGGESTION, id=case.order_gid, suggestFullRefund=False,
        refundLineItems=[{"lineItemId": gid, "quantity": qty, "restockType": "CANCEL"} for gid, qty in plan.lines],
        refundShipping=plan.refund_shipping,
    )["order"]["suggestedRefund"]
    return Money(Decimal(suggested["amountSet"]["shopMoney"]["amount"]), case.currency).rounded()


def _substitutes(client: GraphQLClient, case: StockoutCase, order: OrderSnapshot) -> tuple[list, dict]:
    """Candidates for each short line (same product, then same type), and each short line's product type."""
    short = [line for line in case.lines if line.quantity_short > 0]
    if not 0 < len(short) <= MAX_PICKED_LINES or not all(line.product_gid for line in short):
        return [], {}
    product_types = {}
    for line in short:
        order_line = order.line(line.line_item_gid)
        product_types[line.line_item_gid] = order_line.product_type if order_line else None
    found = []
    for line in offers.short_lines(case, product_types):
        data = client.graphql(documents.SUBSTITUTES_FOR_OFFER, productId=line.product_gid,
                              sameTypeQuery=_same_type_query(line.product_type))
        found.append(choose_substitutes(line, candidates(data)))
    return found, product_types


def prepare_offer(client: GraphQLClient, case: StockoutCase) -> list[CaseOffer]:
    """Build and save the case's offer (only while nothing has been chosen)."""
    if case.choice is not None:
        return offers.offers_for(case)
    order = fetch_order(client, case.order_gid)
    substitutes, product_types = _substitutes(client, case, order)
    specs = offers.compose_offer(case, substitutes, _refund_preview(client, case, order), product_types)
    rows = offers.save_offer(case, specs)
    for row in rows:
        if row.option == "refund":
            row.refund_gateway = order.gateway
    db.session().commit()
    return rows
