"""What choices read through the Admin API: the order behind a case (lines, payments) and a variant's stock now."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from app.shopify import documents

PAYMENT_KINDS = ("SALE", "CAPTURE")


class GraphQLClient(Protocol):
    """What choices need of the Admin client (app.shopify.client): one call."""

    def graphql(self, document: str, **variables) -> dict: ...


@dataclass(frozen=True)
class OrderLine:
    """One order line as it stands now."""

    id: str
    variant_gid: str | None
    product_type: str | None
    current_quantity: int
    unfulfilled_quantity: int
    refundable_quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class Payment:
    """A successful sale or capture a refund can go back to."""

    id: str
    gateway: str
    amount: Decimal


@dataclass(frozen=True)
class OrderSnapshot:
    """The order as it stands now: lines, payments, tags."""

    id: str
    currency: str
    lines: tuple[OrderLine, ...]
    payments: tuple[Payment, ...]
    tags: tuple[str, ...]

    def line(self, line_gid: str) -> OrderLine | None:
        return next((line for line in self.lines if line.id == line_gid), None)

    @property
    def gateway(self) -> str | None:
        return self.payments[0].gateway if self.payments else None


def _line(node: dict) -> OrderLine:
    return OrderLine(
        id=node["id"],
        variant_gid=(node.get("variant") or {}).get("id"),
        product_type=(node.get("product") or {}).get("productType") or None,
        current_quantity=int(node.get("currentQuantity") or 0),
        unfulfilled_quantity=int(node.get("unfulfilledQuantity") or 0),
        refundable_quantity=int(node.get("refundableQuantity") or 0),
        unit_price=Decimal(node["discountedUnitPriceSet"]["shopMoney"]["amount"]),
    )


def fetch_order(client: GraphQLClient, order_gid: str) -> OrderSnapshot:
    """The order with every line (paging through them) and its successful payments."""
    lines: list[OrderLine] = []
    after = None
    while True:
        order = client.graphql(documents.ORDER_FOR_CHOICE, id=order_gid, lineItemsAfter=after)["order"]
        if order is None:
            raise LookupError(f"order {order_gid} no longer exists")
        page = order["lineItems"]
        lines += [_line(node) for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    payments = tuple(
        Payment(t["id"], t["gateway"], Decimal(t["amountSet"]["shopMoney"]["amount"]))
        for t in order.get("transactions") or []
        if t.get("kind") in PAYMENT_KINDS and t.get("status") == "SUCCESS"
    )
    return OrderSnapshot(
        id=order["id"], currency=order["currencyCode"], lines=tuple(lines), payments=payments,
        tags=tuple(order.get("tags") or ()),
    )


@dataclass(frozen=True)
class VariantState:
    """A variant's sellable stock, whether shoppers can see it, and where."""

    available: int
    published: bool
    url: str | None


def variant_state(client: GraphQLClient, variant_gid: str) -> VariantState:
    """Stock and visibility as Shopify has them now (never our possibly stale copy)."""
    variant = client.graphql(documents.VARIANT_RESTOCK_STATE, id=variant_gid)["productVariant"]
    if variant is None:
        return VariantState(0, False, None)
    product = variant["product"]
    published = product["status"] == "ACTIVE" and bool(product.get("onlineStoreUrl"))
    url = f"{product['onlineStoreUrl']}?variant={variant_gid.rsplit('/', 1)[-1]}" if published else None
    return VariantState(int(variant.get("inventoryQuantity") or 0), published, url)
