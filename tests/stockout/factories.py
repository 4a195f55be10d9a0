"""Webhook bodies for the stockout tests, made from Shopify's own samples with the ids and numbers changed."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path

from tests.conftest import SHARED_DIR

SAMPLES = Path(SHARED_DIR) / "shopify" / "webhook-samples"
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
LOCATION = 7001
OTHER_LOCATION = 7002


@lru_cache(maxsize=None)
def _sample(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def sample(name: str) -> dict:
    """A fresh copy of one of Shopify's sample bodies, e.g. "orders-create.json"."""
    return copy.deepcopy(_sample(name))


def gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def stamp(moment: datetime) -> str:
    """A REST timestamp: to the second, with the shop's offset (here -05:00, as in the samples)."""
    return moment.astimezone(timezone(timedelta(hours=-5))).isoformat(timespec="seconds")


def level(item: int, available: int | None, when: datetime, location: int = LOCATION) -> dict:
    body = sample("inventory_levels-update.json")
    body.update(inventory_item_id=item, location_id=location, available=available, updated_at=stamp(when),
                admin_graphql_api_id=f"gid://shopify/InventoryLevel/{location}?inventory_item_id={item}")
    return body


def variant_event(variant: int, product: int, quantity: int, when: datetime, policy: str = "deny") -> dict:
    body = sample("variants-out_of_stock.json")
    body.update(id=variant, product_id=product, inventory_quantity=quantity, old_inventory_quantity=quantity,
                inventory_policy=policy, updated_at=stamp(when), admin_graphql_api_id=gid("ProductVariant", variant),
                sku=f"SKU-{variant}")
    return body


def product_event(product: int, variants: list[tuple[int, int]], vendor: str = "Acme", title: str = "Tee") -> dict:
    """products/update for a product whose variants are (variant id, inventory item id) pairs."""
    body = sample("products-update.json")
    template = body["variants"][0]
    entries = []
    for position, (variant, item) in enumerate(variants, start=1):
        entry = copy.deepcopy(template)
        entry.update(id=variant, product_id=product, inventory_item_id=item, position=position,
                     sku=f"SKU-{variant}", title=f"Size {position}",
                     admin_graphql_api_id=gid("ProductVariant", variant))
        entries.append(entry)
    body.update(id=product, admin_graphql_api_id=gid("Product", product), vendor=vendor, title=title,
                variants=entries, variant_gids=[{"admin_graphql_api_id": e["admin_graphql_api_id"],
                                                 "updated_at": "2026-11-20T09:00:00.000Z"} for e in entries])
    return body


def order(number: int, lines: list[tuple[int, int]], created: datetime, *, product: int = 500,
          updated: datetime | None = None, cancelled: bool = False, fulfilled: int = 0) -> dict:
    """An order (from the orders/create sample) with lines of (variant id, quantity)."""
    body = sample("orders-create.json")
    template = body["line_items"][0]
    items = []
    for index, (variant, quantity) in enumerate(lines):
        item = copy.deepcopy(template)
        line_id = number * 100 + index
        item.update(id=line_id, admin_graphql_api_id=gid("LineItem", line_id), variant_id=variant,
                    product_id=product, quantity=quantity, current_quantity=quantity,
                    fulfillable_quantity=quantity - fulfilled, variant_inventory_management="shopify",
                    title=f"Tee {variant}", sku=f"SKU-{variant}", price="25.00")
        items.append(item)
    when = updated or created
    body.update(id=number, admin_graphql_api_id=gid("Order", number), name=f"#{number}", created_at=stamp(created),
                updated_at=stamp(when), processed_at=stamp(created), line_items=items, refunds=[],
                cancelled_at=stamp(when) if cancelled else None, cancel_reason="customer" if cancelled else None,
                financial_status="paid", email=f"buyer{number}@example.com", customer_locale="en")
    return body


def line_gid(order_number: int, index: int = 0) -> str:
    return gid("LineItem", order_number * 100 + index)


def refund(number: int, order_number: int, lines: list[tuple[int, int]], when: datetime,
           restock: str = "cancel") -> dict:
    """refunds/create for an order: (line index, quantity) pairs."""
    body = sample("refunds-create.json")
    template = body["refund_line_items"][0]
    entries = []
    for index, quantity in lines:
        entry = copy.deepcopy(template)
        line_id = order_number * 100 + index
        entry.update(id=number * 10 + index, line_item_id=line_id, quantity=quantity, restock_type=restock)
        entry["line_item"].update(id=line_id, admin_graphql_api_id=gid("LineItem", line_id))
        entries.append(entry)
    body.update(id=number, order_id=order_number, admin_graphql_api_id=gid("Refund", number),
                refund_line_items=entries, created_at=stamp(when), processed_at=stamp(when))
    return body
