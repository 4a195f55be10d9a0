"""Order editing: begin a calculated order, stage additions and quantity changes, commit them."""
from . import gids, inventory, orders
from .model import EditLine, LineItem, OrderEdit
from .payload import user_error
from .payloads_orders import order_edit_payload


def begin(store, shop, order_gid: str):
    """(edit, errors): a calculated order mirroring the order's current lines."""
    order = shop.orders.get(gids.number(order_gid, "Order"))
    if order is None:
        return None, [user_error(["id"], "The order does not exist.")]
    if order.cancelled_at is not None:
        return None, [user_error(["id"], "The order cannot be edited because it is cancelled.")]
    lines = [EditLine(id=line.id, line_item_id=line.id, variant_id=line.variant_id, quantity=line.current_quantity)
             for line in (shop.line_items[i] for i in order.line_item_ids) if line.current_quantity > 0]
    edit = OrderEdit(id=store.new_id(), order_id=order.id, created_at=store.now(), lines=lines)
    shop.order_edits[edit.id] = edit
    return edit, []


def find(shop, edit_gid: str):
    """The open edit named by a CalculatedOrder or OrderEditSession GID, or (None, errors)."""
    kind, number, _ = gids.split(edit_gid)
    edit = shop.order_edits.get(number) if kind in ("CalculatedOrder", "OrderEditSession") else None
    if edit is None:
        return None, [user_error(["id"], "The calculated order does not exist.")]
    if edit.committed_at is not None:
        return None, [user_error(["id"], "The calculated order has already been committed.")]
    return edit, []


def add_variant(store, shop, edit, variant_gid: str, quantity: int, location_gid: str | None,
                allow_duplicates: bool):
    """(calculated line, errors): stage a new line for a variant."""
    variant = shop.variants.get(gids.number(variant_gid, "ProductVariant"))
    if variant is None:
        return None, [user_error(["variantId"], "The variant does not exist.")]
    if quantity < 1:
        return None, [user_error(["quantity"], "Quantity must be greater than 0.")]
    location_id = gids.number(location_gid, "Location") if location_gid else None
    if location_gid and location_id not in shop.locations:
        return None, [user_error(["locationId"], "The location does not exist.")]
    if not allow_duplicates and any(line.variant_id == variant.id for line in edit.lines):
        return None, [user_error(["variantId"], "The variant is already on the order. Set allowDuplicates "
                                                "to true to add it as a new line item.")]
    line = EditLine(id=store.new_id(), line_item_id=None, variant_id=variant.id, quantity=quantity,
                    location_id=location_id)
    edit.lines.append(line)
    return line, []


def set_quantity(shop, edit, line_gid: str, quantity: int, restock: bool, location_gid: str | None):
    """(calculated line, errors): stage a new quantity; fulfilled units cannot be taken away."""
    number = gids.number(line_gid, "CalculatedLineItem")
    line = next((candidate for candidate in edit.lines if candidate.id == number), None)
    if line is None:
        return None, [user_error(["lineItemId"], "The calculated line item does not exist.")]
    if quantity < 0:
        return None, [user_error(["quantity"], "Quantity cannot be negative.")]
    fulfilled = shop.line_items[line.line_item_id].fulfilled_quantity if line.line_item_id else 0
    if quantity < fulfilled:
        return None, [user_error(["quantity"], "You can only edit unfulfilled line items: "
                                               f"{fulfilled} unit(s) are already fulfilled.")]
    if location_gid:
        line.location_id = gids.number(location_gid, "Location")
    line.quantity, line.restock = quantity, bool(restock)
    return line, []


def commit(store, shop, edit, notify: bool, staff_note: str | None):
    """Apply staged changes: new lines commit stock, reductions release it (restocked if asked), discounts
    set the lines' prices."""
    order = shop.orders[edit.order_id]
    additions, removals, changes = [], [], []
    for staged in edit.lines:
        if staged.line_item_id is None:
            if staged.quantity > 0:
                additions.append(_add_line(store, shop, order, staged, changes))
            continue
        line = shop.line_items[staged.line_item_id]
        if staged.discount is not None:
            line.discount = staged.discount
        delta = staged.quantity - line.current_quantity
        if delta < 0:
            _reduce(shop, line, -delta, staged, changes)
            removals.append((line.id, -delta))
        elif delta > 0:
            line.quantity += delta
            changes.append(_commit_stock(shop, line, delta))
            additions.append((line.id, delta))
    edit.committed_at = store.now()
    inventory.apply(store, shop, changes)
    store.emit(shop, "orders/edited", lambda: order_edit_payload(shop, edit, additions, removals, staff_note, notify))
    orders.touch(store, shop, order)
    return order


def _add_line(store, shop, order, staged, changes) -> tuple[int, int]:
    variant = shop.variants[staged.variant_id]
    product = shop.products[variant.product_id]
    line = LineItem(id=store.new_id(), order_id=order.id, variant_id=variant.id, product_id=product.id,
                    title=product.title, variant_title=None if variant.title == "Default Title" else variant.title,
                    sku=variant.sku, vendor=product.vendor, quantity=staged.quantity, unit_price=variant.price,
                    location_id=inventory.stocking_location(shop, variant.inventory_item_id, staged.location_id),
                    discount=staged.discount)
    shop.line_items[line.id] = line
    order.line_item_ids.append(line.id)
    changes.append(_commit_stock(shop, line, staged.quantity))
    return line.id, staged.quantity


def _commit_stock(shop, line, units: int) -> inventory.Change:
    item_id = shop.variants[line.variant_id].inventory_item_id
    return inventory.Change(item_id, line.location_id, available=-units, committed=units)


def _reduce(shop, line, units: int, staged, changes) -> None:
    line.removed_quantity += units
    if line.variant_id in shop.variants:
        item_id = shop.variants[line.variant_id].inventory_item_id
        changes.append(inventory.Change(item_id, line.location_id, committed=-units))
        if staged.restock:
            changes.append(inventory.Change(item_id, staged.location_id or line.location_id, available=units))
