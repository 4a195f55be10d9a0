"""Reading a variant's stock back from Shopify: its inventory item, tracking and per-location available units."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from app.shopify import documents
from app.stockout.stock import Reading


@dataclass(frozen=True)
class VariantRead:
    variant_gid: str
    product_gid: str | None
    inventory_item_gid: str | None
    sku: str | None
    tracked: bool
    readings: list[Reading]


def read_variant(client, variant_gid: str) -> VariantRead | None:
    """The variant's stock as Shopify has it now; None when the variant no longer exists."""
    data = client.graphql(documents.VARIANT_INVENTORY_LEVELS, id=variant_gid)
    variant = data.get("productVariant")
    if variant is None:
        return None
    item = variant["inventoryItem"]
    nodes = _all_levels(client, documents.VARIANT_INVENTORY_LEVELS, variant_gid,
                        lambda d: d["productVariant"]["inventoryItem"], item)
    return _read(variant, item, nodes)


def read_item(client, item_gid: str) -> VariantRead | None:
    """The stock of the variant holding this inventory item; None when it no longer exists."""
    data = client.graphql(documents.INVENTORY_ITEM_LEVELS, id=item_gid)
    item = data.get("inventoryItem")
    if item is None or item.get("variant") is None:
        return None
    nodes = _all_levels(client, documents.INVENTORY_ITEM_LEVELS, item_gid, lambda d: d["inventoryItem"], item)
    return _read(item["variant"], item, nodes)


def _all_levels(client, document: str, gid: str, item_of, item: dict) -> list[dict]:
    nodes, page = [], item["inventoryLevels"]
    while True:
        nodes.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        page = item_of(client.graphql(document, id=gid, after=page["pageInfo"]["endCursor"]))["inventoryLevels"]


def _read(variant: dict, item: dict, nodes: list[dict]) -> VariantRead:
    readings = []
    for node in nodes:
        available = next((q["quantity"] for q in node["quantities"] if q["name"] == "available"), None)
        if available is not None:
            readings.append(Reading(node["location"]["id"], available, _time(node["updatedAt"])))
    return VariantRead(
        variant_gid=variant["id"], product_gid=(variant.get("product") or {}).get("id"),
        inventory_item_gid=item["id"], sku=variant.get("sku") or None, tracked=bool(item["tracked"]),
        readings=readings,
    )


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
