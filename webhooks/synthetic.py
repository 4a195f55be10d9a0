"""Webhook payloads rebuilt from Admin GraphQL objects, for changes the reconciler finds that no webhook brought.

Each builder returns the REST-shaped body Shopify would have sent for the topic (the fields the handlers read),
so a synthetic event goes through the same handler as a real one.
"""

from __future__ import annotations


def event_key(gid: str, updated_at: str) -> str:
    """The event id of a synthetic event: one per object version, so finding it twice records it once."""
    return f"reconcile:{gid}:{updated_at}"


def legacy_id(gid: str | None) -> int | None:
    """The integer id at the end of a GID (gid://shopify/Order/123 -> 123)."""
    if not gid:
        return None
    return int(gid.rsplit("/", 1)[-1].split("?", 1)[0])


def order_payload(order: dict) -> dict:
    """An orders/updated body from an OrderForReconciliation `order`."""
    order_id = legacy_id(order["id"])
    return {
        "id": order_id,
        "admin_graphql_api_id": order["id"],
        "name": order["name"],
        "email": order.get("email"),
        "phone": order.get("phone"),
        "created_at": order["createdAt"],
        "updated_at": order["updatedAt"],
        "cancelled_at": order.get("cancelledAt"),
        "currency": order["currencyCode"],
        "current_total_price": order["currentTotalPriceSet"]["shopMoney"]["amount"],
        "customer_locale": order.get("customerLocale"),
        "customer": _customer(order.get("customer")),
        "line_items": [_line(line) for line in order["lineItems"]["nodes"]],
        "refunds": [_refund(refund, order_id) for refund in order.get("refunds") or []],
    }


def _customer(customer: dict | None) -> dict | None:
    if not customer:
        return None
    return {
        "id": legacy_id(customer["id"]),
        "admin_graphql_api_id": customer["id"],
        "first_name": customer.get("firstName"),
        "last_name": customer.get("lastName"),
        "email": (customer.get("defaultEmailAddress") or {}).get("emailAddress"),
        "phone": (customer.get("defaultPhoneNumber") or {}).get("phoneNumber"),
    }


def _line(line: dict) -> dict:
    variant = line.get("variant") or {}
    tracked = bool((variant.get("inventoryItem") or {}).get("tracked"))
    return {
        "id": legacy_id(line["id"]),
        "admin_graphql_api_id": line["id"],
        "title": line["title"],
        "name": line["name"],
        "sku": line.get("sku"),
        "quantity": line["quantity"],
        "current_quantity": line["currentQuantity"],
        "fulfillable_quantity": line["unfulfilledQuantity"],
        "variant_id": legacy_id(variant.get("id")),
        "product_id": legacy_id((line.get("product") or {}).get("id")),
        "price": line["originalUnitPriceSet"]["shopMoney"]["amount"],
        "variant_inventory_management": "shopify" if tracked else None,
    }


def _refund(refund: dict, order_id: int) -> dict:
    return {
        "id": legacy_id(refund["id"]),
        "admin_graphql_api_id": refund["id"],
        "order_id": order_id,
        "created_at": refund.get("createdAt"),
        "refund_line_items": [
            {
                "line_item_id": legacy_id(entry["lineItem"]["id"]),
                "line_item": {"id": legacy_id(entry["lineItem"]["id"]), "admin_graphql_api_id": entry["lineItem"]["id"]},
                "quantity": entry["quantity"],
                "restock_type": entry["restockType"].lower(),
            }
            for entry in refund["refundLineItems"]["nodes"]
        ],
    }


def product_payload(product: dict) -> dict:
    """A products/update body from a ProductsForReconciliation node (its first 50 variants)."""
    return {
        "id": legacy_id(product["id"]),
        "admin_graphql_api_id": product["id"],
        "title": product["title"],
        "vendor": product.get("vendor"),
        "status": product["status"].lower(),
        "tags": ", ".join(product.get("tags") or []),
        "updated_at": product["updatedAt"],
        "variants": [variant_payload(variant, product["id"]) for variant in product["variants"]["nodes"]],
    }


def variant_payload(variant: dict, product_gid: str) -> dict:
    """A variants/in_stock or variants/out_of_stock body."""
    item = variant.get("inventoryItem") or {}
    return {
        "id": legacy_id(variant["id"]),
        "admin_graphql_api_id": variant["id"],
        "product_id": legacy_id(product_gid),
        "inventory_item_id": legacy_id(item.get("id")),
        "title": variant["title"],
        "sku": variant.get("sku"),
        "inventory_policy": variant["inventoryPolicy"].lower(),
        "inventory_management": "shopify" if item.get("tracked") else None,
        "inventory_quantity": variant.get("inventoryQuantity"),
        "updated_at": variant["updatedAt"],
    }
