"""Store-side stories for demos and benchmarks: a flash sale, a supplier delay, a restock."""
import random
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from . import gids, inventory
from .metafields import set_metafields
from .orders import place_order
from .seed import flash_sale_variant

RESTOCK_NAMESPACE, RESTOCK_KEY = "stockout", "restock_date"


def flash_sale(store, shop, *, variant_id: int | None = None, orders: int = 50, quantity: int = 1,
               seed: int = 1) -> dict:
    """Many quick checkouts for one popular low-stock variant; stock goes below zero as real races allow."""
    rng = random.Random(seed)
    with store.lock:
        variant = shop.variants[variant_id] if variant_id else flash_sale_variant(shop)
        before = shop.variant_available(variant)
        buyers = sorted(shop.customers) or [None]
        placed = [place_order(store, shop, [(variant.id, quantity)], customer_id=rng.choice(buyers))
                  for _ in range(orders)]
        after = shop.variant_available(variant)
    return {"variant_id": gids.gid("ProductVariant", variant.id), "orders": len(placed),
            "order_ids": [gids.gid("Order", o.id) for o in placed], "available_before": before,
            "available_after": after, "oversold_units": max(0, -after) - max(0, -before),
            "oversold_orders": sum(1 for i in range(len(placed)) if before - (i + 1) * quantity < 0)}


def supplier_delay(store, shop, *, product_id: int, days: int = 14) -> dict:
    """The supplier slips: the product's restock date metafield moves `days` further out."""
    with store.lock:
        product = shop.products[product_id]
        today = store.now().astimezone(ZoneInfo(shop.timezone)).date()
        number = product.metafields.get((RESTOCK_NAMESPACE, RESTOCK_KEY))
        current = date.fromisoformat(shop.metafields[number].value) if number else today
        new_date = max(current, today) + timedelta(days=days)
        saved, errors = set_metafields(store, shop, [{
            "ownerId": gids.gid("Product", product.id), "namespace": RESTOCK_NAMESPACE, "key": RESTOCK_KEY,
            "value": new_date.isoformat(), "type": "date"}], RESTOCK_NAMESPACE)
        if errors:
            raise ValueError(errors[0]["message"])
    return {"product_id": gids.gid("Product", product.id), "restock_date": new_date.isoformat(),
            "previous_restock_date": current.isoformat() if number else None}


def restock(store, shop, *, variant_id: int | None = None, product_id: int | None = None, quantity: int = 20,
            location_id: int | None = None) -> dict:
    """A delivery arrives: `quantity` more units of one variant (or every variant of a product)."""
    if quantity < 1:
        raise ValueError("restock quantity must be at least 1")
    with store.lock:
        if variant_id is not None:
            chosen = [shop.variants[variant_id]]
        else:
            chosen = [shop.variants[v] for v in shop.products[product_id].variant_ids]
        changes = [inventory.Change(v.inventory_item_id, inventory.stocking_location(
            shop, v.inventory_item_id, location_id), available=quantity) for v in chosen]
        inventory.apply(store, shop, changes)
        return {"variants": [{"id": gids.gid("ProductVariant", v.id), "available": shop.variant_available(v)}
                             for v in chosen]}
