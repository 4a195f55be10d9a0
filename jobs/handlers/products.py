"""products/update: learn the product's variants, and re-evaluate it when its catalogue state may change."""

from __future__ import annotations

from app import db
from app.stockout import updates
from app.stockout.effects import Effects
from jobs import payloads
from jobs.handling import Delivery


def on_product_update(delivery: Delivery) -> None:
    """Keep variant→product, inventory item, SKU and vendor; merchant edits are respected when the job plans."""
    fact = payloads.parse_product(delivery.payload)
    shop, effects = payloads.delivery_shop(delivery), Effects(delivery.shop_id)
    updates.product_changed(db.session(), shop, fact, db.utcnow(), effects)
    delivery.after_commit.extend(effects.callbacks())
