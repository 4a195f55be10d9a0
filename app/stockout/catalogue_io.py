"""A product as the catalogue decision needs it, read from Shopify, and a change plan carried out there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.domain.presale_label import SHIP_BY_KEY, SHIP_BY_NAMESPACE, SHIP_BY_TYPE
from app.domain.product_changes import (
    AddTags, DeleteMetafield, InventoryPolicy, Operation, ProductSnapshot, Publish, RemoveTags, SetMetafield,
    SetStatus, SetTitle, SetVariantPolicies, Unpublish, VariantState,
)
from app.shopify import documents


@dataclass(frozen=True)
class ShopifyVariant:
    variant_gid: str
    title: str
    sku: str | None
    inventory_quantity: int | None
    inventory_item_gid: str | None
    tracked: bool


@dataclass(frozen=True)
class ProductRead:
    snapshot: ProductSnapshot
    vendor: str | None
    variants: tuple[ShopifyVariant, ...]
    restock_date_text: str | None
    restock_reason_text: str | None


def read_product(client, product_gid: str, publication_id: str) -> ProductRead | None:
    """The product now; None when it no longer exists."""
    data = client.graphql(documents.PRODUCT_CATALOGUE_STATE, id=product_gid, publicationId=publication_id)
    product = data.get("product")
    if product is None:
        return None
    nodes, page = [], product["variants"]
    while True:
        nodes.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        page = client.graphql(documents.PRODUCT_CATALOGUE_STATE, id=product_gid, publicationId=publication_id,
                              variantsAfter=after)["product"]["variants"]
    ship_by = _value(product, "shipBy")
    snapshot = ProductSnapshot(
        product_id=product["id"], title=product["title"], status=product["status"], tags=frozenset(product["tags"]),
        published_on_online_store=bool(product["publishedOnPublication"]),
        variants={n["id"]: VariantState(InventoryPolicy(n["inventoryPolicy"]), bool(n["inventoryItem"]["tracked"]))
                  for n in nodes},
        ship_by=_date(ship_by),
    )
    variants = tuple(
        ShopifyVariant(n["id"], n.get("title") or "", n.get("sku") or None, n.get("inventoryQuantity"),
                       n["inventoryItem"]["id"], bool(n["inventoryItem"]["tracked"]))
        for n in nodes
    )
    return ProductRead(snapshot, product.get("vendor"), variants, _value(product, "restockDate"),
                       _value(product, "restockReason"))


def execute(client, product_gid: str, publication_id: str | None, operations: tuple[Operation, ...]) -> None:
    """Carry out the plan's writes in order, one mutation each; tags are added or removed, never replaced."""
    for op in operations:
        document, variables = _mutation(product_gid, publication_id, op)
        client.graphql(document, **variables)


def _mutation(product_gid: str, publication_id: str | None, op: Operation) -> tuple[str, dict]:
    if isinstance(op, SetTitle):
        return documents.PRODUCT_UPDATE, {"product": {"id": product_gid, "title": op.after}}
    if isinstance(op, SetStatus):
        return documents.PRODUCT_UPDATE, {"product": {"id": product_gid, "status": op.after.value}}
    if isinstance(op, AddTags):
        return documents.TAGS_ADD, {"id": product_gid, "tags": list(op.tags)}
    if isinstance(op, RemoveTags):
        return documents.TAGS_REMOVE, {"id": product_gid, "tags": list(op.tags)}
    if isinstance(op, SetVariantPolicies):
        variants = [{"id": c.variant_id, "inventoryPolicy": c.after.value} for c in op.changes]
        return documents.PRODUCT_VARIANTS_BULK_UPDATE, {"productId": product_gid, "variants": variants}
    if isinstance(op, (Publish, Unpublish)):
        if not publication_id:
            raise ValueError("the shop's Online Store publication is not known")
        document = documents.PUBLISHABLE_PUBLISH if isinstance(op, Publish) else documents.PUBLISHABLE_UNPUBLISH
        return document, {"id": product_gid, "input": [{"publicationId": publication_id}]}
    if isinstance(op, SetMetafield):
        field = {"ownerId": product_gid, "namespace": SHIP_BY_NAMESPACE, "key": SHIP_BY_KEY, "type": SHIP_BY_TYPE,
                 "value": op.after.isoformat()}
        return documents.METAFIELDS_SET, {"metafields": [field]}
    if isinstance(op, DeleteMetafield):
        field = {"ownerId": product_gid, "namespace": SHIP_BY_NAMESPACE, "key": SHIP_BY_KEY}
        return documents.METAFIELDS_DELETE, {"metafields": [field]}
    raise TypeError(f"no Shopify write for {type(op).__name__}")


def _value(product: dict, alias: str) -> str | None:
    field = product.get(alias)
    return field.get("value") if isinstance(field, dict) else None


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
