"""Topic handlers for the intake tests, bound to real topics through a table passed to the drain."""

from __future__ import annotations

from sqlalchemy import select

from app import db, queues
from app.models import Shop, VariantStock, WebhookEvent
from jobs.handling import Delivery, RejectedPayload

CALLS_KEY = "tests:intake:calls"


def count_calls(delivery: Delivery) -> None:
    """Note every call (in Redis, outside the transaction) and, after commit, the status other connections see."""
    queues.redis().rpush(CALLS_KEY, delivery.event_id)
    delivery.after_commit.append(lambda: queues.redis().rpush(CALLS_KEY, f"after:{_status_seen_elsewhere(delivery)}"))


def _status_seen_elsewhere(delivery: Delivery) -> str:
    with db.engine().connect() as connection:
        return connection.execute(select(WebhookEvent.status).where(WebhookEvent.event_id == delivery.event_id)).scalar()


def keep_newest_level(delivery: Delivery) -> None:
    """An order-safe handler: an inventory level older than the one stored never overwrites it."""
    payload = delivery.payload
    if "inventory_item_id" not in payload:
        raise RejectedPayload("inventory level without inventory_item_id")
    gid = f"gid://shopify/InventoryItem/{payload['inventory_item_id']}"
    session = db.session()
    row = session.scalars(select(VariantStock).where(VariantStock.shop_id == delivery.shop_id,
                                                     VariantStock.variant_gid == gid)).first()
    if row is None:
        row = VariantStock(shop_id=delivery.shop_id, variant_gid=gid, inventory_item_gid=gid)
        session.add(row)
    elif row.inventory_updated_at and delivery.triggered_at <= row.inventory_updated_at:
        return
    row.available = payload["available"]
    row.inventory_updated_at = delivery.triggered_at


def fail_while_shop_is_broken(delivery: Delivery) -> None:
    """Writes, then fails while the shop is named "broken" (so the test can mend it before a replay)."""
    shop = db.session().get(Shop, delivery.shop_id)
    shop.contact_email = f"touched-by-{delivery.event_id}@example.com"
    if shop.name == "broken":
        raise RuntimeError("supplier feed is down")
    queues.redis().rpush(CALLS_KEY, delivery.event_id)


def reject_without_order(delivery: Delivery) -> None:
    if "order_id" not in delivery.payload:
        raise RejectedPayload("refund without order_id")


TABLE = {
    "orders/create": "tests.intake.handlers.count_calls",
    "orders/updated": "tests.intake.handlers.count_calls",
    "inventory_levels/update": "tests.intake.handlers.keep_newest_level",
    "products/update": "tests.intake.handlers.fail_while_shop_is_broken",
    "refunds/create": "tests.intake.handlers.reject_without_order",
}
