"""Placing, fulfilling and cancelling orders, with their inventory effects and webhooks."""
from decimal import Decimal

from . import inventory
from .model import LineItem, Order, Transaction
from .order_math import totals
from .payloads_orders import order_payload


def place_order(store, shop, lines: list[tuple[int, int]], *, customer_id: int | None = None,
                email: str | None = None, phone: str | None = None, shipping: Decimal = Decimal("0"),
                paid: bool = True, gateway: str = "bogus", location_id: int | None = None, test: bool = False) -> Order:
    """A storefront checkout: lines of (variant id, quantity); stock is committed even past zero."""
    if not lines:
        raise ValueError("an order needs at least one line")
    customer = shop.customers.get(customer_id) if customer_id is not None else None
    if customer_id is not None and customer is None:
        raise ValueError(f"no customer {customer_id} in {shop.domain}")
    now = store.now()
    order = Order(id=store.new_id(), number=shop.next_order_number, email=email or (customer and customer.email),
                  phone=phone or (customer and customer.phone), customer_id=customer_id,
                  customer_locale=customer.locale if customer else _primary_locale(shop), currency=shop.currency,
                  created_at=now, updated_at=now, shipping=Decimal(shipping), test=test)
    shop.next_order_number += 1
    changes = []
    for variant_id, quantity in lines:
        line = _line_for(store, shop, order, variant_id, quantity, location_id)
        changes.append(inventory.Change(shop.variants[variant_id].inventory_item_id, line.location_id,
                                        available=-quantity, committed=quantity))
    shop.orders[order.id] = order
    if paid:
        _record_payment(store, shop, order, gateway)
    if customer is not None:
        customer.updated_at = now
    snapshot = _once(lambda: order_payload(shop, order))
    store.emit(shop, "orders/create", snapshot)
    if paid:
        store.emit(shop, "orders/paid", snapshot)
    inventory.apply(store, shop, changes)
    return order


def _once(build):
    """A builder that builds at most once: orders/create and orders/paid share one snapshot."""
    made = []

    def get():
        if not made:
            made.append(build())
        return made[0]
    return get


def _line_for(store, shop, order, variant_id: int, quantity: int, location_id: int | None) -> LineItem:
    variant = shop.variants.get(variant_id)
    if variant is None:
        raise ValueError(f"no variant {variant_id} in {shop.domain}")
    if quantity < 1:
        raise ValueError("line quantity must be at least 1")
    product = shop.products[variant.product_id]
    line = LineItem(id=store.new_id(), order_id=order.id, variant_id=variant.id, product_id=product.id,
                    title=product.title, variant_title=None if variant.title == "Default Title" else variant.title,
                    sku=variant.sku, vendor=product.vendor, quantity=quantity, unit_price=variant.price,
                    location_id=inventory.stocking_location(shop, variant.inventory_item_id, location_id))
    shop.line_items[line.id] = line
    order.line_item_ids.append(line.id)
    return line


def _record_payment(store, shop, order, gateway: str) -> None:
    sale = Transaction(id=store.new_id(), order_id=order.id, kind="SALE", amount=totals(shop, order).total,
                       gateway=gateway, created_at=order.created_at, test=order.test)
    shop.transactions[sale.id] = sale
    order.transaction_ids.append(sale.id)


def _primary_locale(shop) -> str:
    return next((locale for locale, primary in shop.locales if primary), "en")


def touch(store, shop, order) -> None:
    """Mark the order changed now and announce orders/updated."""
    order.updated_at = store.now()
    store.emit(shop, "orders/updated", lambda: order_payload(shop, order))


def fulfill(store, shop, order) -> None:
    """Ship every unfulfilled unit: committed stock leaves the building."""
    changes = []
    for line in (shop.line_items[i] for i in order.line_item_ids):
        units = line.unfulfilled_quantity
        if units and line.variant_id in shop.variants:
            item_id = shop.variants[line.variant_id].inventory_item_id
            changes.append(inventory.Change(item_id, line.location_id, committed=-units))
        line.fulfilled_quantity += units
    inventory.apply(store, shop, changes)
    store.emit(shop, "orders/fulfilled", lambda: order_payload(shop, order))
    touch(store, shop, order)


def cancel(store, shop, order, *, reason: str = "CUSTOMER", restock: bool = True) -> None:
    """Cancel an unfulfilled order, releasing its committed stock back to available when restocking."""
    if order.cancelled_at is not None:
        raise ValueError(f"order {order.name} is already cancelled")
    now = store.now()
    order.cancelled_at, order.cancel_reason, order.closed_at = now, reason.upper(), now
    changes = []
    for line in (shop.line_items[i] for i in order.line_item_ids):
        units = line.unfulfilled_quantity
        if units and line.variant_id in shop.variants:
            item_id = shop.variants[line.variant_id].inventory_item_id
            changes.append(inventory.Change(item_id, line.location_id, available=units if restock else 0,
                                            committed=-units))
    inventory.apply(store, shop, changes)
    order.updated_at = now
    store.emit(shop, "orders/cancelled", lambda: order_payload(shop, order))
    store.emit(shop, "orders/updated", lambda: order_payload(shop, order))
