"""Order and refund events: the ledger of who waits for what, oversold cases opened, changed and closed."""

from __future__ import annotations

from app import db
from app.reports.sales import SoldLine, record_order_seen
from app.stockout import updates
from app.stockout.effects import Effects
from jobs import payloads
from jobs.handling import Delivery


def on_order_event(delivery: Delivery) -> None:
    """orders/create, paid, updated, cancelled (and orders/edited) for one order.

    orders/edited carries only which lines an edit touched, not their new quantities; Shopify sends
    orders/updated for the same edit with the whole order, so the edit itself is only checked here.
    """
    if delivery.topic == "orders/edited":
        payloads.parse_order_edit(delivery.payload)
        return
    fact = payloads.parse_order(delivery.payload)
    shop, effects = payloads.delivery_shop(delivery), Effects(delivery.shop_id)
    record_order_seen(shop.id, fact.order_gid, fact.created_at,
                      [SoldLine(line.variant_gid, line.product_gid, line.quantity) for line in fact.lines if line.variant_gid])
    updates.order_changed(db.session(), shop, fact, db.utcnow(), effects)
    delivery.after_commit.extend(effects.callbacks())


def on_refund_created(delivery: Delivery) -> None:
    """refunds/create: record the refunded units; a case whose short lines are all refunded closes."""
    fact = payloads.parse_refund(delivery.payload)
    shop, effects = payloads.delivery_shop(delivery), Effects(delivery.shop_id)
    updates.refund_created(db.session(), shop, fact, db.utcnow(), effects)
    delivery.after_commit.extend(effects.callbacks())
