"""refundCreate's rules: what may be refunded, against which payments, and what goes back on the shelf."""
from decimal import Decimal

from . import gids, inventory, orders
from .model import Refund, RefundLine, Transaction
from .order_math import PAYMENT_KINDS, ZERO, discounted_price, refundable_payment, totals
from .payload import user_error
from .payloads_orders import refund_payload

SUPPORTED_INPUT = {"orderId", "note", "notify", "currency", "refundLineItems", "transactions", "shipping",
                   "allowOverRefunding", "processedAt"}


def create_refund(store, shop, data: dict):
    """(refund, order, userErrors): validate everything first so a rejected refund changes nothing."""
    order = shop.orders.get(gids.number(data["orderId"], "Order"))
    if order is None:
        return None, None, [user_error(["orderId"], "Order does not exist")]
    errors = []
    if data.get("currency") and data["currency"] != shop.currency:
        errors.append(user_error(["currency"], f"Currency must match the order currency {shop.currency}"))
    lines = _refund_lines(store, shop, order, data.get("refundLineItems") or [], errors)
    shipping = _shipping(shop, order, data.get("shipping"), errors)
    payments = _transactions(shop, order, data.get("transactions") or [], bool(data.get("allowOverRefunding")),
                             errors)
    if errors:
        return None, order, errors
    return _apply(store, shop, order, data.get("note"), lines, shipping, payments), order, []


def _refund_lines(store, shop, order, requested: list, errors: list) -> list[RefundLine]:
    lines, wanted = [], {}
    for index, item in enumerate(requested):
        line_id = gids.number(item["lineItemId"], "LineItem")
        line = shop.line_items.get(line_id)
        if line is None or line.order_id != order.id:
            errors.append(user_error(["refundLineItems", index, "lineItemId"], "Line item does not exist"))
            continue
        quantity = item["quantity"]
        wanted[line_id] = wanted.get(line_id, 0) + quantity
        if quantity < 1:
            errors.append(user_error(["refundLineItems", index, "quantity"], "Quantity must be greater than 0"))
        elif wanted[line_id] > line.current_quantity:
            errors.append(user_error(["refundLineItems", index, "quantity"],
                                     "Quantity cannot refund more items than were purchased"))
        restock_type = item.get("restockType") or "NO_RESTOCK"
        location_id = gids.number(item["locationId"], "Location") if item.get("locationId") else line.location_id
        if item.get("locationId") and location_id not in shop.locations:
            errors.append(user_error(["refundLineItems", index, "locationId"], "Location does not exist"))
        lines.append(RefundLine(id=store.new_id(), line_item_id=line_id, quantity=quantity,
                                restock_type=restock_type, location_id=location_id,
                                subtotal=discounted_price(line) * quantity))
    return lines


def _shipping(shop, order, shipping: dict | None, errors: list) -> Decimal:
    if not shipping:
        return ZERO
    left = order.shipping - sum((shop.refunds[r].shipping for r in order.refund_ids), ZERO)
    wanted = left if shipping.get("fullRefund") else Decimal(shipping.get("amount") or 0)
    if wanted < 0 or wanted > left:
        errors.append(user_error(["shipping", "amount"], f"Shipping refund amount cannot exceed {left:.2f}"))
    return wanted


def _transactions(shop, order, requested: list, allow_over: bool, errors: list) -> list[tuple]:
    payments, total = [], ZERO
    for index, item in enumerate(requested):
        where = ["transactions", index]
        if item["kind"] != "REFUND":
            errors.append(user_error(where + ["kind"], "Kind must be refund"))
            continue
        if gids.number(item["orderId"], "Order") != order.id:
            errors.append(user_error(where + ["orderId"], "Order does not match the refunded order"))
            continue
        parent_id = gids.number(item["parentId"], "OrderTransaction") if item.get("parentId") else _default_parent(
            shop, order)
        parent = shop.transactions.get(parent_id) if parent_id else None
        if parent is None or parent.order_id != order.id or parent.kind not in PAYMENT_KINDS:
            errors.append(user_error(where + ["parentId"], "Parent transaction does not exist"))
            continue
        if item["gateway"] != parent.gateway:
            errors.append(user_error(where + ["gateway"],
                                     f"Gateway must match the parent transaction ({parent.gateway})"))
            continue
        amount = Decimal(item["amount"])
        total += amount
        if amount <= 0:
            errors.append(user_error(where + ["amount"], "Amount must be greater than 0"))
        elif not allow_over and amount > refundable_payment(shop, order, parent.id):
            errors.append(user_error(where + ["amount"], "Amount cannot be greater than the refundable amount "
                                     f"{refundable_payment(shop, order, parent.id):.2f} of the parent transaction"))
        payments.append((parent, amount))
    if not allow_over and total > totals(shop, order).net_payment:
        errors.append(user_error(["transactions"], "Refund amount cannot exceed the net payment "
                                 f"{totals(shop, order).net_payment:.2f}"))
    return payments


def _default_parent(shop, order) -> int | None:
    return next((t for t in order.transaction_ids if shop.transactions[t].kind in PAYMENT_KINDS), None)


def _apply(store, shop, order, note, lines, shipping, payments) -> Refund:
    now = store.now()
    refund = Refund(id=store.new_id(), order_id=order.id, note=note, created_at=now, lines=lines,
                    transaction_ids=[], shipping=shipping)
    changes = []
    for refund_line in lines:
        line = shop.line_items[refund_line.line_item_id]
        unfulfilled = min(refund_line.quantity, line.unfulfilled_quantity)
        line.refunded_quantity += refund_line.quantity
        if line.variant_id in shop.variants:
            back = refund_line.quantity if refund_line.restock_type != "NO_RESTOCK" else 0
            changes.append(inventory.Change(shop.variants[line.variant_id].inventory_item_id, refund_line.location_id,
                                            available=back, committed=-unfulfilled))
    for parent, amount in payments:
        transaction = Transaction(id=store.new_id(), order_id=order.id, kind="REFUND", amount=amount,
                                  gateway=parent.gateway, created_at=now, parent_id=parent.id, test=order.test)
        shop.transactions[transaction.id] = transaction
        order.transaction_ids.append(transaction.id)
        refund.transaction_ids.append(transaction.id)
    shop.refunds[refund.id] = refund
    order.refund_ids.append(refund.id)
    store.emit(shop, "refunds/create", lambda: refund_payload(shop, refund))
    inventory.apply(store, shop, changes)
    orders.touch(store, shop, order)
    return refund
