"""orderEditBegin / AddVariant / SetQuantity / Commit, the calculated order they work on, and orderInvoiceSend
(how a balance an edit leaves is collected)."""
from decimal import Decimal

from . import gids, line_discounts, order_edits, order_math
from .connections import whole
from .payload import Payload, money, user_error


def register(reg) -> None:
    reg.fields("Mutation", scope="write_order_edits", orderEditBegin=begin, orderEditAddVariant=add_variant,
               orderEditSetQuantity=set_quantity, orderEditCommit=commit)
    reg.attrs("OrderEditBeginPayload", "calculatedOrder", "orderEditSession", "userErrors")
    reg.attrs("OrderEditAddVariantPayload", "calculatedOrder", "calculatedLineItem", "orderEditSession",
              "userErrors")
    reg.attrs("OrderEditSetQuantityPayload", "calculatedOrder", "calculatedLineItem", "orderEditSession",
              "userErrors")
    reg.attrs("OrderEditCommitPayload", "order", "successMessages", "userErrors")
    reg.fields("Mutation", scope="write_orders", orderInvoiceSend=invoice_send)
    reg.attrs("OrderInvoiceSendPayload", "order", "userErrors")
    reg.attrs("OrderInvoiceSendUserError", "field", "message", "code")
    reg.fields("CalculatedOrder", id=lambda e, info: gids.gid("CalculatedOrder", e.id),
               originalOrder=lambda e, info: info.context.shop.orders[e.order_id],
               committed=lambda e, info: e.committed_at is not None, lineItems=calculated_lines,
               addedLineItems=added_lines,
               subtotalLineItemsQuantity=lambda e, info: sum(line.quantity for line in e.lines),
               subtotalPriceSet=lambda e, info: money(_subtotal(info.context.shop, e), info.context.shop.currency),
               totalPriceSet=lambda e, info: money(_total(info.context.shop, e), info.context.shop.currency),
               totalOutstandingSet=outstanding)
    reg.fields("CalculatedLineItem", id=lambda cl, info: gids.gid("CalculatedLineItem", cl.id),
               quantity=lambda cl, info: cl.quantity, title=lambda cl, info: _view(info, cl)["title"],
               sku=lambda cl, info: _view(info, cl)["sku"],
               variant=lambda cl, info: info.context.shop.variants.get(cl.variant_id),
               editableQuantity=editable_quantity, restockable=lambda cl, info: cl.line_item_id is not None,
               variantTitle=variant_title,
               originalUnitPriceSet=lambda cl, info: money(line_discounts.original_price(info.context.shop, cl),
                                                           info.context.shop.currency),
               discountedUnitPriceSet=lambda cl, info: money(line_discounts.discounted_price(info.context.shop, cl),
                                                             info.context.shop.currency),
               hasStagedLineItemDiscount=lambda cl, info: cl.discount is not None)
    reg.attrs("CalculatedLineItemConnection", "edges", "nodes", "pageInfo")
    reg.attrs("CalculatedLineItemEdge", "cursor", "node")


def session_of(edit) -> dict:
    return {"__typename": "OrderEditSession", "id": gids.gid("OrderEditSession", edit.id)}


def begin(obj, info, id):
    edit, errors = order_edits.begin(info.context.store, info.context.shop, id)
    return Payload(calculatedOrder=edit, orderEditSession=session_of(edit) if edit else None, userErrors=errors)


def add_variant(obj, info, id, variantId, quantity, locationId=None, allowDuplicates=False):
    shop = info.context.shop
    edit, errors = order_edits.find(shop, id)
    line = None
    if edit is not None:
        line, errors = order_edits.add_variant(info.context.store, shop, edit, variantId, quantity, locationId,
                                               allowDuplicates)
    return Payload(calculatedOrder=edit, calculatedLineItem=line,
                   orderEditSession=session_of(edit) if edit else None, userErrors=errors)


def set_quantity(obj, info, id, lineItemId, quantity, restock=None, locationId=None):
    shop = info.context.shop
    edit, errors = order_edits.find(shop, id)
    line = None
    if edit is not None:
        line, errors = order_edits.set_quantity(shop, edit, lineItemId, quantity, restock, locationId)
    return Payload(calculatedOrder=edit, calculatedLineItem=line,
                   orderEditSession=session_of(edit) if edit else None, userErrors=errors)


def commit(obj, info, id, notifyCustomer=False, staffNote=None):
    shop = info.context.shop
    edit, errors = order_edits.find(shop, id)
    if edit is None:
        return Payload(order=None, successMessages=None, userErrors=errors)
    order = order_edits.commit(info.context.store, shop, edit, bool(notifyCustomer), staffNote)
    return Payload(order=order, successMessages=["Order updated"], userErrors=[])


def invoice_send(obj, info, id, email=None):
    """Record the invoice e-mail for the order's balance; refused for an order with nothing to pay or no address."""
    shop = info.context.shop
    order = shop.orders.get(gids.number(id, "Order"))
    if order is None:
        return Payload(order=None, userErrors=[user_error(["id"], "Order does not exist.")])
    due = order_math.totals(shop, order).outstanding
    to = (email or {}).get("to") or order.email
    problem = ("The order has no outstanding balance." if due <= 0 else
               "The order has no email address to send the invoice to." if not to else None)
    if problem:
        return Payload(order=order, userErrors=[user_error(None, problem, "ORDER_INVOICE_SEND_UNSUCCESSFUL")])
    order.invoices.append({"to": to, "amount": due, "sent_at": info.context.store.now(),
                           "custom_message": (email or {}).get("customMessage")})
    return Payload(order=order, userErrors=[])


def _view(info, line) -> dict:
    shop = info.context.shop
    if line.line_item_id is not None:
        existing = shop.line_items[line.line_item_id]
        return {"title": existing.title, "sku": existing.sku, "variant_title": existing.variant_title}
    variant = shop.variants[line.variant_id]
    return {"title": shop.products[variant.product_id].title, "sku": variant.sku,
            "variant_title": None if variant.title == "Default Title" else variant.title}


def variant_title(line, info):
    return _view(info, line)["variant_title"]


def _subtotal(shop, edit) -> Decimal:
    return sum((line_discounts.discounted_price(shop, line) * line.quantity for line in edit.lines), Decimal("0"))


def _total(shop, edit) -> Decimal:
    order = shop.orders[edit.order_id]
    figures = order_math.totals(shop, order)
    return _subtotal(shop, edit) + (figures.total - figures.subtotal)


def outstanding(edit, info):
    shop = info.context.shop
    figures = order_math.totals(shop, shop.orders[edit.order_id])
    return money(_total(shop, edit) - figures.net_payment, shop.currency)


def editable_quantity(line, info) -> int:
    if line.line_item_id is None:
        return line.quantity
    existing = info.context.shop.line_items[line.line_item_id]
    return max(existing.current_quantity - existing.fulfilled_quantity, 0)


def calculated_lines(edit, info, first=None, after=None, last=None, before=None, reverse=False):
    return whole(edit.lines, first=first, after=after, last=last, before=before, reverse=reverse)


def added_lines(edit, info, first=None, after=None, last=None, before=None, reverse=False):
    added = [line for line in edit.lines if line.line_item_id is None]
    return whole(added, first=first, after=after, last=last, before=before, reverse=reverse)
