"""inventory_levels/update, variants/in_stock and variants/out_of_stock: keep each variant's stock and its cases."""

from __future__ import annotations

from app import db
from app.stockout import updates
from app.stockout.effects import Effects
from jobs import payloads
from jobs.handling import Delivery, with_batch_form


def on_inventory_levels_update(deliveries: list[Delivery]) -> None:
    """Several locations' levels at once (a drain's batch): per variant, the newest reading per location wins."""
    facts = [payloads.parse_inventory_level(delivery.payload) for delivery in deliveries]
    effects = Effects(deliveries[0].shop_id)
    updates.levels_changed(db.session(), deliveries[0].shop_id, facts, db.utcnow(), effects)
    deliveries[-1].after_commit.extend(effects.callbacks())


@with_batch_form(on_inventory_levels_update)
def on_inventory_level_update(delivery: Delivery) -> None:
    """One location's available units changed; newer readings win, whatever order they arrive in."""
    on_inventory_levels_update([delivery])


def on_variant_stock_change(delivery: Delivery) -> None:
    """A variant went out of or back in stock online; its levels are read back from Shopify to be exact."""
    fact = payloads.parse_variant(delivery.payload)
    shop, effects = payloads.delivery_shop(delivery), Effects(delivery.shop_id)
    updates.variant_changed(db.session(), shop, fact, db.utcnow(), effects)
    delivery.after_commit.extend(effects.callbacks())
