"""Inventory changes with the webhooks Shopify sends for them."""
from dataclasses import dataclass

from .model import InventoryLevel
from .payloads_catalog import level_payload, variant_payload


@dataclass(frozen=True)
class Change:
    """A delta to one item at one location: available units, and units committed to orders."""
    item_id: int
    location_id: int
    available: int = 0
    committed: int = 0


def stocking_location(shop, item_id: int, preferred: int | None = None) -> int:
    """Where an order draws stock: the preferred location if it stocks the item, else the first that does."""
    if preferred is not None and (item_id, preferred) in shop.levels:
        return preferred
    for location_id in shop.locations:
        if (item_id, location_id) in shop.levels:
            return location_id
    return preferred if preferred is not None else next(iter(shop.locations))


def apply(store, shop, changes: list[Change]) -> list:
    """Apply deltas (never refusing negatives: overselling happens) and emit level and stock-crossing webhooks."""
    now = store.now()
    touched_variants = {shop.inventory_items[c.item_id].variant_id for c in changes}
    before = {v: shop.variant_available(shop.variants[v]) for v in touched_variants}
    changed = []
    for change in changes:
        level = shop.levels.get((change.item_id, change.location_id))
        if level is None:
            level = _stock_at(shop, change.item_id, change.location_id, now)
        level.available += change.available
        level.committed += change.committed
        level.updated_at = now
        shop.inventory_items[change.item_id].updated_at = now
        if change.available:
            changed.append(level)
    for level in _unique(changed):
        store.emit(shop, "inventory_levels/update", lambda: level_payload(shop, level))
    for variant_id, old in before.items():
        variant = shop.variants[variant_id]
        new = shop.variant_available(variant)
        if new == old or not shop.inventory_items[variant.inventory_item_id].tracked:
            continue
        variant.updated_at = now
        if old > 0 >= new:
            store.emit(shop, "variants/out_of_stock", lambda: variant_payload(shop, variant, old_quantity=old))
        elif old <= 0 < new:
            store.emit(shop, "variants/in_stock", lambda: variant_payload(shop, variant, old_quantity=old))
    return changed


def _stock_at(shop, item_id: int, location_id: int, now):
    level = InventoryLevel(item_id=item_id, location_id=location_id, available=0, updated_at=now, created_at=now)
    shop.levels[(item_id, location_id)] = level
    return level


def _unique(levels: list) -> list:
    seen, result = set(), []
    for level in levels:
        key = (level.item_id, level.location_id)
        if key not in seen:
            seen.add(key)
            result.append(level)
    return result
