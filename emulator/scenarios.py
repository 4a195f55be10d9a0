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
               seed: int = 1, variant_ids: list[int] | None = None, buyer_prefix: str | None = None,
               phone_every: int = 0) -> dict:
    """Many quick checkouts for popular low-stock variants; stock goes below zero as real races allow.

    One variant (`variant_id`, else the seeded collab tee) or several (`variant_ids`, picked at random per order).
    With `buyer_prefix` every order has a buyer of its own (`<prefix>-<n>@example.com`, and a phone number on
    every `phone_every`-th), so each customer's messages can be told apart; otherwise seeded customers buy.
    """
    rng = random.Random(seed)
    with store.lock:
        chosen = [shop.variants[v] for v in variant_ids] if variant_ids else [
            shop.variants[variant_id] if variant_id else flash_sale_variant(shop)]
        before = {v.id: shop.variant_available(v) for v in chosen}
        buyers = sorted(shop.customers) or [None]
        placed, sold = [], {v.id: 0 for v in chosen}
        oversold_orders = {v.id: 0 for v in chosen}
        for n in range(orders):
            variant = rng.choice(chosen) if len(chosen) > 1 else chosen[0]
            sold[variant.id] += quantity
            oversold_orders[variant.id] += before[variant.id] - sold[variant.id] < 0
            contact = {"customer_id": rng.choice(buyers)} if buyer_prefix is None else _buyer(buyer_prefix, n,
                                                                                              phone_every)
            placed.append(place_order(store, shop, [(variant.id, quantity)], **contact))
        after = {v.id: shop.variant_available(v) for v in chosen}
    found = {"orders": len(placed), "order_ids": [gids.gid("Order", o.id) for o in placed],
             "oversold_units": sum(max(0, -after[v]) - max(0, -before[v]) for v in before),
             "oversold_orders": sum(oversold_orders.values()),
             "variants": [{"id": gids.gid("ProductVariant", v), "available_before": before[v],
                           "available_after": after[v], "orders": sold[v] // quantity,
                           "oversold_orders": oversold_orders[v]} for v in before]}
    if not variant_ids:
        only = chosen[0].id
        found.update(variant_id=gids.gid("ProductVariant", only), available_before=before[only],
                     available_after=after[only])
    return found


def _buyer(prefix: str, n: int, phone_every: int) -> dict:
    phone = f"+1415555{n % 10_000:04d}" if phone_every and n % phone_every == 0 else None
    return {"email": f"{prefix}-{n}@example.com", "phone": phone}


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
