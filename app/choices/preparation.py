"""Preparing a case's offer from Shopify: substitutes in stock, and the refund Shopify would suggest."""

from __future__ import annotations

from decimal import Decimal

from app import db
from app.choices import offers
from app.choices.offer_policy import Candidate, choose_substitutes
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


def prepare_offer(client: GraphQLClient, case: StockoutCase) -> list[CaseOffer]:
    """Build and save the case's offer (only while nothing has been chosen)."""
    if case.choice is not None:
        return offers.offers_for(case)
    order = fetch_order(client, case.order_gid)
    short = [line for line in case.lines if line.quantity_short > 0]
    substitutes: list[Candidate] = []
    product_type = None
    if len(short) == 1 and short[0].product_gid:
        order_line = order.line(short[0].line_item_gid)
        product_type = order_line.product_type if order_line else None
        data = client.graphql(documents.SUBSTITUTES_FOR_OFFER, productId=short[0].product_gid,
                              sameTypeQuery=_same_type_query(product_type))
        substitutes = choose_substitutes(offers.short_lines(case, product_type)[0], candidates(data))
    specs = offers.compose_offer(case, substitutes, _refund_preview(client, case, order), product_type)
    rows = offers.save_offer(case, specs)
    for row in rows:
        if row.option == "refund":
            row.refund_gateway = order.gateway
    db.session().commit()
    return rows
