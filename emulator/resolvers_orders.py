"""Orders, their line items, transactions and refunds, read through the Admin API."""
from graphql import GraphQLError

from . import gids, order_math
from .connections import paginate, whole
from .payload import money
from .resolvers_common import connection, count, gid_of, legacy_id
from .search import predicate

ORDER_SORTS = {"ID": lambda o, s: (o.id,), "CREATED_AT": lambda o, s: (o.created_at.timestamp(), o.id),
               "PROCESSED_AT": lambda o, s: (o.created_at.timestamp(), o.id),
               "UPDATED_AT": lambda o, s: (o.updated_at.timestamp(), o.id),
               "ORDER_NUMBER": lambda o, s: (o.number, o.id),
               "TOTAL_PRICE": lambda o, s: (float(order_math.totals(s, o).original_total), o.id)}
_FULFILLMENT_WORDS = {"FULFILLED": ["fulfilled", "shipped"], "PARTIALLY_FULFILLED": ["partial"],
                      "UNFULFILLED": ["unfulfilled", "unshipped"]}


def register(reg) -> None:
    reg.fields("QueryRoot", scope="read_orders", order=order, orders=orders, ordersCount=orders_count)
    reg.attrs("Order", "name", "email", "phone", "customerLocale", "createdAt", "updatedAt", "cancelledAt",
              "cancelReason", "note", "tags", "test")
    reg.fields("Order", id=gid_of("Order"), legacyResourceId=legacy_id, processedAt=lambda o, info: o.created_at,
               currencyCode=lambda o, info: o.currency, presentmentCurrencyCode=presentment_currency,
               closed=lambda o, info: o.closed_at is not None,
               closedAt=lambda o, info: o.closed_at, confirmed=lambda o, info: True,
               customer=lambda o, info: info.context.shop.customers.get(o.customer_id),
               displayFinancialStatus=lambda o, info: order_math.financial_status(info.context.shop, o),
               displayFulfillmentStatus=lambda o, info: order_math.fulfillment_status(info.context.shop, o),
               fullyPaid=lambda o, info: _figures(info, o).outstanding <= 0,
               unpaid=lambda o, info: _figures(info, o).received == 0,
               fulfillable=lambda o, info: o.cancelled_at is None and any(
                   line.unfulfilled_quantity for line in order_math.lines(info.context.shop, o)),
               currentSubtotalLineItemsQuantity=lambda o, info: sum(
                   line.current_quantity for line in order_math.lines(info.context.shop, o)),
               lineItems=line_items, transactions=transactions, refunds=refunds)
    for name, pick in (("totalPriceSet", "original_total"), ("subtotalPriceSet", "discounted_line_items"),
                       ("currentTotalPriceSet", "total"), ("currentSubtotalPriceSet", "subtotal"),
                       ("totalShippingPriceSet", "shipping"), ("totalRefundedSet", "refunded"),
                       ("totalReceivedSet", "received"), ("netPaymentSet", "net_payment"),
                       ("totalOutstandingSet", "outstanding")):
        reg.field("Order", name, _money_of(pick))
    connection(reg, "Order")
    _register_parts(reg)


def _register_parts(reg) -> None:
    reg.attrs("LineItem", "name", "title", "sku", "quantity", "currentQuantity", "unfulfilledQuantity",
              "variantTitle", "vendor")
    reg.fields("LineItem", id=gid_of("LineItem"),
               variant=lambda li, info: info.context.shop.variants.get(li.variant_id),
               product=lambda li, info: info.context.shop.products.get(li.product_id),
               refundableQuantity=lambda li, info: li.current_quantity,
               fulfillableQuantity=lambda li, info: li.unfulfilled_quantity,
               nonFulfillableQuantity=lambda li, info: li.quantity - li.unfulfilled_quantity,
               restockable=lambda li, info: li.current_quantity > 0, customAttributes=lambda li, info: [],
               originalUnitPriceSet=_unit_price, discountedUnitPriceSet=_discounted_unit_price,
               discountedUnitPriceAfterAllDiscountsSet=_discounted_unit_price,
               originalTotalSet=lambda li, info: money(li.unit_price * li.quantity, info.context.shop.currency))
    connection(reg, "LineItem")
    reg.attrs("OrderTransaction", "kind", "status", "gateway", "createdAt", "test")
    reg.fields("OrderTransaction", id=gid_of("OrderTransaction"), processedAt=lambda t, info: t.created_at,
               amountSet=lambda t, info: money(t.amount, info.context.shop.currency),
               parentTransaction=lambda t, info: info.context.shop.transactions.get(t.parent_id),
               order=lambda t, info: info.context.shop.orders.get(t.order_id), errorCode=lambda t, info: None)
    connection(reg, "OrderTransaction")
    reg.attrs("Refund", "note", "createdAt")
    reg.fields("Refund", id=gid_of("Refund"), legacyResourceId=legacy_id, updatedAt=lambda r, info: r.created_at,
               order=lambda r, info: info.context.shop.orders[r.order_id], totalRefundedSet=refund_total,
               refundLineItems=refund_line_items, transactions=refund_transactions)
    reg.fields("RefundLineItem", id=lambda rl, info: rl["id"], lineItem=lambda rl, info: rl["lineItem"],
               quantity=lambda rl, info: rl["quantity"], restockType=lambda rl, info: rl["restockType"],
               restocked=lambda rl, info: rl["restockType"] != "NO_RESTOCK",
               location=lambda rl, info: rl["location"], priceSet=lambda rl, info: rl["priceSet"],
               subtotalSet=lambda rl, info: rl["subtotalSet"], totalTaxSet=lambda rl, info: rl["totalTaxSet"])
    connection(reg, "RefundLineItem")


def _figures(info, order):
    return order_math.totals(info.context.shop, order)


def _money_of(pick: str):
    return lambda o, info: money(getattr(_figures(info, o), pick), info.context.shop.currency)


def _unit_price(line, info):
    return money(line.unit_price, info.context.shop.currency)


def _discounted_unit_price(line, info):
    return money(order_math.discounted_price(line), info.context.shop.currency)


def presentment_currency(order, info) -> str:
    """The emulator's checkout charges in the shop currency, so the buyer saw the order's own currency."""
    return order.currency


def order(obj, info, id):
    return info.context.shop.orders.get(gids.number(id, "Order"))


def _order_filter(shop, query):
    def statuses(o):
        closed = o.closed_at is not None or o.cancelled_at is not None
        found = ["any", "closed" if closed else "open"] + ([] if closed else ["not_closed"])
        return found + (["cancelled"] if o.cancelled_at else [])
    return predicate(query, {
        None: (lambda o: f"{o.name} {o.email or ''}", "contains"),
        "created_at": (lambda o: o.created_at, "datetime"), "updated_at": (lambda o: o.updated_at, "datetime"),
        "processed_at": (lambda o: o.created_at, "datetime"), "id": (lambda o: o.id, "id"),
        "name": (lambda o: [o.name, str(o.number)], "list"), "email": (lambda o: o.email, "text"),
        "customer_id": (lambda o: o.customer_id, "id"), "tag": (lambda o: o.tags, "list"),
        "status": (statuses, "list"),
        "financial_status": (lambda o: ["any", order_math.financial_status(shop, o).lower()], "list"),
        "fulfillment_status": (lambda o: ["any"] + _FULFILLMENT_WORDS[order_math.fulfillment_status(shop, o)],
                               "list"),
        "test": (lambda o: str(o.test).lower(), "text"),
    }, "orders")


def orders(obj, info, first=None, after=None, last=None, before=None, reverse=False, sortKey="PROCESSED_AT",
           query=None):
    shop = info.context.shop
    if sortKey not in ORDER_SORTS:
        raise GraphQLError(f"emulator does not support orders sortKey {sortKey}")
    test = _order_filter(shop, query)
    key = lambda o: ORDER_SORTS[sortKey](o, shop)  # noqa: E731
    found = sorted((o for o in shop.orders.values() if test(o)), key=key)
    return paginate(found, key, first=first, after=after, last=last, before=before, reverse=reverse)


def orders_count(obj, info, query=None, limit=10000):
    test = _order_filter(info.context.shop, query)
    matched = sum(1 for o in info.context.shop.orders.values() if test(o))
    if limit is not None and matched > limit:
        return {"count": limit, "precision": "AT_LEAST"}
    return count(matched)


def line_items(order_record, info, first=None, after=None, last=None, before=None, reverse=False):
    found = order_math.lines(info.context.shop, order_record)
    return whole(found, first=first, after=after, last=last, before=before, reverse=reverse)


def transactions(order_record, info, first=None, capturable=None, manuallyResolvable=None):
    if capturable or manuallyResolvable:
        raise GraphQLError("emulator does not support capturable/manuallyResolvable transaction filters")
    found = [info.context.shop.transactions[t] for t in order_record.transaction_ids]
    return found[:first] if first is not None else found


def refunds(order_record, info, first=None):
    found = [info.context.shop.refunds[r] for r in order_record.refund_ids]
    return found[:first] if first is not None else found


def refund_total(refund, info):
    shop = info.context.shop
    return money(sum(shop.transactions[t].amount for t in refund.transaction_ids), shop.currency)


def refund_line_view(shop, refund_line) -> dict:
    """A RefundLineItem as a value (also used for suggested refunds, which have no id)."""
    line = shop.line_items[refund_line.line_item_id]
    return {"id": gids.gid("RefundLineItem", refund_line.id) if refund_line.id else None, "lineItem": line,
            "quantity": refund_line.quantity, "restockType": refund_line.restock_type,
            "location": shop.locations.get(refund_line.location_id),
            "priceSet": money(line.unit_price, shop.currency),
            "subtotalSet": money(refund_line.subtotal, shop.currency), "totalTaxSet": money(0, shop.currency)}


def refund_line_items(refund, info, first=None, after=None, last=None, before=None, reverse=False):
    views = [refund_line_view(info.context.shop, rl) for rl in refund.lines]
    return whole(views, first=first, after=after, last=last, before=before, reverse=reverse)


def refund_transactions(refund, info, first=None, after=None, last=None, before=None, reverse=False):
    found = [info.context.shop.transactions[t] for t in refund.transaction_ids]
    return whole(found, first=first, after=after, last=last, before=before, reverse=reverse)
