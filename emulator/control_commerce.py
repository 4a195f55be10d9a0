"""/emulator/shops/<shop>/…: things shoppers, staff and suppliers do, and reading state back as JSON."""
from decimal import Decimal

from flask import Blueprint, jsonify

from . import gids, inventory, orders, scenarios, tokens
from .control_helpers import NotFound, body, find, install_error_handlers, number
from .metafields import set_metafields
from .payloads_catalog import compliance_payload, product_payload, shop_payload
from .payloads_orders import order_payload
from .runtime import current

bp = Blueprint("control_commerce", __name__, url_prefix="/emulator/shops/<shop>")
install_error_handlers(bp)
COMPLIANCE = {"customers-data_request": "customers/data_request", "customers-redact": "customers/redact",
              "shop-redact": "shop/redact"}


def _locked(work):
    """Run `work(store, shop)` under the store lock for the URL's shop, then send what it announced."""
    def view(shop: str, **kwargs):
        emulator = current()
        with emulator.store.lock:
            result = work(emulator.store, emulator.store.shop(shop), **kwargs)
        emulator.deliver_pending()
        return jsonify(result)
    view.__name__ = work.__name__
    return view


def _variant(shop, entry: dict):
    if entry.get("sku"):
        found = next((v for v in shop.variants.values() if v.sku == entry["sku"]), None)
        if found is None:
            raise NotFound(f"no variant with SKU {entry['sku']}")
        return found
    return find(shop.variants, entry["variant_id"], "ProductVariant")


def place_order(store, shop):
    """Body: {customer_id?, email?, lines: [{variant_id | sku, quantity}], shipping?, paid?, location_id?}."""
    data = body()
    lines = [(_variant(shop, entry).id, int(entry.get("quantity", 1))) for entry in data.get("lines", [])]
    customer_id = number(data["customer_id"], "Customer") if data.get("customer_id") else None
    location_id = number(data["location_id"], "Location") if data.get("location_id") else None
    order = orders.place_order(store, shop, lines, customer_id=customer_id, email=data.get("email"),
                               phone=data.get("phone"), shipping=Decimal(str(data.get("shipping", "0"))),
                               paid=data.get("paid", True), location_id=location_id, test=data.get("test", False))
    return order_payload(shop, order)


def get_order(store, shop, order_id):
    return order_payload(shop, find(shop.orders, order_id, "Order"))


def fulfill_order(store, shop, order_id):
    order = find(shop.orders, order_id, "Order")
    orders.fulfill(store, shop, order)
    return order_payload(shop, order)


def cancel_order(store, shop, order_id):
    data, order = body(), find(shop.orders, order_id, "Order")
    orders.cancel(store, shop, order, reason=data.get("reason", "CUSTOMER"), restock=data.get("restock", True))
    return order_payload(shop, order)


def adjust_inventory(store, shop):
    """Body: {variant_id | sku | inventory_item_id, location_id?, delta | available}."""
    data = body()
    if data.get("inventory_item_id"):
        item_id = find(shop.inventory_items, data["inventory_item_id"], "InventoryItem").id
    else:
        item_id = _variant(shop, data).inventory_item_id
    preferred = number(data["location_id"], "Location") if data.get("location_id") else None
    location_id = inventory.stocking_location(shop, item_id, preferred)
    if location_id not in shop.locations:
        raise NotFound(f"no location {data.get('location_id')}")
    level = shop.levels.get((item_id, location_id))
    current_units = level.available if level else 0
    delta = int(data["available"]) - current_units if "available" in data else int(data["delta"])
    inventory.apply(store, shop, [inventory.Change(item_id, location_id, available=delta)])
    level = shop.levels[(item_id, location_id)]
    return {"inventory_item_id": gids.gid("InventoryItem", item_id), "location_id": gids.gid("Location", location_id),
            "available": level.available, "committed": level.committed, "on_hand": level.on_hand}


def set_metafield(store, shop):
    """Body: {owner_id (GID, or product id), namespace, key, value, type}."""
    data = body()
    owner = data["owner_id"] if str(data["owner_id"]).startswith("gid://") else gids.gid(
        "Product", number(data["owner_id"], "Product"))
    saved, errors = set_metafields(store, shop, [{"ownerId": owner, "namespace": data["namespace"],
                                                  "key": data["key"], "value": str(data["value"]),
                                                  "type": data.get("type")}], data["namespace"])
    if errors:
        raise ValueError(errors[0]["message"])
    field = saved[0]
    return {"id": gids.gid("Metafield", field.id), "namespace": field.namespace, "key": field.key,
            "value": field.value, "type": field.type}


def get_product(store, shop, product_id):
    """The product as its webhook would show it, plus stock per location, metafields and publication."""
    product = find(shop.products, product_id, "Product")
    state = product_payload(shop, product)
    state["inventory"] = [{"variant_id": v, "location_id": lv.location_id, "available": lv.available,
                           "committed": lv.committed} for v in product.variant_ids
                          for lv in shop.levels_of(shop.variants[v].inventory_item_id)]
    state["metafields"] = {f"{ns}.{key}": shop.metafields[n].value for (ns, key), n in product.metafields.items()}
    state["published_on_online_store"] = shop.online_store().id in product.published_at
    return state


def uninstall(store, shop):
    """The merchant removes the app: app/uninstalled goes out, then every credential dies."""
    store.emit(shop, "app/uninstalled", lambda: shop_payload(shop))
    tokens.revoke_shop(store, shop.domain)
    shop.installed, shop.granted_scopes = False, ()
    shop.webhook_subscriptions.clear()
    return {"shop": shop.domain, "installed": False}


def compliance(store, shop, topic):
    """Body: {customer_id?}; sends customers/data_request, customers/redact or shop/redact now."""
    name = COMPLIANCE.get(topic) or topic
    if name not in COMPLIANCE.values():
        raise NotFound(f"no compliance topic {topic}")
    customer, order_ids = None, []
    if name != "shop/redact":
        customer = find(shop.customers, body()["customer_id"], "Customer")
        order_ids = [o.id for o in shop.orders.values() if o.customer_id == customer.id]
    payload = compliance_payload(shop, name, customer, order_ids, request_id=store.new_id())
    store.emit(shop, name, payload)
    return payload


def flash_sale(store, shop):
    data = body()
    variant_id = number(data["variant_id"], "ProductVariant") if data.get("variant_id") else None
    variant_ids = [number(v, "ProductVariant") for v in data.get("variant_ids") or []]
    return scenarios.flash_sale(store, shop, variant_id=variant_id, orders=int(data.get("orders", 50)),
                                quantity=int(data.get("quantity", 1)), seed=int(data.get("seed", 1)),
                                variant_ids=variant_ids or None, buyer_prefix=data.get("buyer_prefix"),
                                phone_every=int(data.get("phone_every", 0)))


def supplier_delay(store, shop):
    data = body()
    return scenarios.supplier_delay(store, shop, product_id=number(data["product_id"], "Product"),
                                    days=int(data.get("days", 14)))


def restock(store, shop):
    data = body()
    return scenarios.restock(
        store, shop, variant_id=number(data["variant_id"], "ProductVariant") if data.get("variant_id") else None,
        product_id=number(data["product_id"], "Product") if data.get("product_id") else None,
        quantity=int(data.get("quantity", 20)),
        location_id=number(data["location_id"], "Location") if data.get("location_id") else None)


for rule, work, methods in (
        ("/orders", place_order, ["POST"]), ("/orders/<order_id>", get_order, ["GET"]),
        ("/orders/<order_id>/fulfill", fulfill_order, ["POST"]), ("/orders/<order_id>/cancel", cancel_order, ["POST"]),
        ("/inventory", adjust_inventory, ["POST"]), ("/metafields", set_metafield, ["POST"]),
        ("/products/<product_id>", get_product, ["GET"]), ("/uninstall", uninstall, ["POST"]),
        ("/compliance/<topic>", compliance, ["POST"]), ("/scenarios/flash-sale", flash_sale, ["POST"]),
        ("/scenarios/supplier-delay", supplier_delay, ["POST"]), ("/scenarios/restock", restock, ["POST"])):
    bp.add_url_rule(rule, view_func=_locked(work), methods=methods)
