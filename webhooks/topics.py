"""The one table from webhook topic to handler; it mirrors the subscriptions in shopify.app.toml."""

from __future__ import annotations

import importlib
from typing import Callable, Mapping

from jobs.handling import Delivery

Handler = Callable[[Delivery], None]

TOPICS: Mapping[str, str] = {
    "orders/create": "jobs.handlers.orders.on_order_event",
    "orders/paid": "jobs.handlers.orders.on_order_event",
    "orders/updated": "jobs.handlers.orders.on_order_event",
    "orders/edited": "jobs.handlers.orders.on_order_event",
    "orders/cancelled": "jobs.handlers.orders.on_order_event",
    "refunds/create": "jobs.handlers.orders.on_refund_created",
    "inventory_levels/update": "jobs.handlers.inventory.on_inventory_level_update",
    "variants/out_of_stock": "jobs.handlers.inventory.on_variant_stock_change",
    "variants/in_stock": "jobs.handlers.inventory.on_variant_stock_change",
    "products/update": "jobs.handlers.products.on_product_update",
    "app/uninstalled": "jobs.handlers.lifecycle.on_app_uninstalled",
    "customers/data_request": "jobs.handlers.compliance.on_customers_data_request",
    "customers/redact": "jobs.handlers.compliance.on_customers_redact",
    "shop/redact": "jobs.handlers.compliance.on_shop_redact",
}

COMPLIANCE_TOPICS = frozenset({"customers/data_request", "customers/redact", "shop/redact"})

# Recorded for a shop row that exists even after uninstall: the law and the uninstall itself still apply.
RECORDED_AFTER_UNINSTALL = COMPLIANCE_TOPICS | {"app/uninstalled"}


def handler_for(topic: str, table: Mapping[str, str] | None = None) -> Handler | None:
    """The handler of a topic, imported on first use by its dotted path; None for a topic not in the table."""
    path = (TOPICS if table is None else table).get(topic)
    if path is None:
        return None
    module_name, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module_name), name)
