"""refundCreate and Order.suggestedRefund."""
from decimal import Decimal

from . import gids, order_math
from .model import RefundLine
from .order_math import PAYMENT_KINDS, ZERO, refundable_payment
from .payload import Payload, money
from .inputs import refuse_unsupported
from .refunds import SUPPORTED_INPUT, create_refund
from .resolvers_orders import refund_line_view


def register(reg) -> None:
    reg.fields("Mutation", scope="write_orders", refundCreate=refund_create)
    reg.attrs("RefundCreatePayload", "refund", "order", "userErrors")
    reg.field("Order", "suggestedRefund", suggested_refund)
    reg.attrs("SuggestedRefund", "amountSet", "subtotalSet", "maximumRefundableSet", "discountedSubtotalSet",
              "totalTaxSet", "totalCartDiscountAmountSet", "totalDutiesSet", "refundLineItems", "shipping",
              "refundDuties", "suggestedTransactions")
    reg.attrs("ShippingRefund", "amountSet", "maximumRefundableSet", "taxSet")
    reg.attrs("SuggestedOrderTransaction", "amountSet", "gateway", "formattedGateway", "kind", "parentTransaction",
              "maximumRefundableSet", "accountNumber")


def refund_create(obj, info, input):
    refuse_unsupported(info, input, "RefundInput", SUPPORTED_INPUT)
    for item in input.get("refundLineItems") or []:
        refuse_unsupported(info, item, "RefundLineItemInput", {"lineItemId", "quantity", "restockType", "locationId"})
    refund, order, errors = create_refund(info.context.store, info.context.shop, input)
    return Payload(refund=refund, order=order, userErrors=errors)


def suggested_refund(order, info, shippingAmount=None, refundShipping=None, refundLineItems=None,
                     suggestFullRefund=False):
    """What Shopify would suggest refunding for these lines and shipping, split over the payments."""
    shop = info.context.shop
    cur = shop.currency
    lines = _suggested_lines(shop, order, refundLineItems or [], suggestFullRefund)
    subtotal = sum((line.subtotal for line in lines), ZERO)
    shipping_left = order.shipping - sum((shop.refunds[r].shipping for r in order.refund_ids), ZERO)
    if suggestFullRefund or refundShipping:
        shipping = shipping_left
    else:
        shipping = min(Decimal(shippingAmount or 0), shipping_left)
    maximum = order_math.totals(shop, order).net_payment
    amount = min(subtotal + shipping, maximum)
    return {
        "amountSet": money(amount, cur), "subtotalSet": money(subtotal, cur),
        "maximumRefundableSet": money(maximum, cur), "discountedSubtotalSet": money(subtotal, cur),
        "totalTaxSet": money(0, cur), "totalCartDiscountAmountSet": money(0, cur),
        "totalDutiesSet": money(0, cur), "refundDuties": [],
        "refundLineItems": [refund_line_view(shop, line) for line in lines],
        "shipping": {"amountSet": money(shipping, cur), "maximumRefundableSet": money(shipping_left, cur),
                     "taxSet": money(0, cur)},
        "suggestedTransactions": _allocate(shop, order, amount),
    }


def _suggested_lines(shop, order, requested: list, full: bool) -> list[RefundLine]:
    if full:
        wanted = [(line, line.current_quantity, "NO_RESTOCK", None) for line in order_math.lines(shop, order)]
    else:
        wanted = []
        for item in requested:
            line = shop.line_items.get(gids.number(item["lineItemId"], "LineItem"))
            if line is not None and line.order_id == order.id:
                location = gids.number(item["locationId"], "Location") if item.get("locationId") else None
                wanted.append((line, min(item["quantity"], line.current_quantity),
                               item.get("restockType") or "NO_RESTOCK", location))
    return [RefundLine(id=0, line_item_id=line.id, quantity=quantity, restock_type=restock,
                       location_id=location or line.location_id,
                       subtotal=order_math.discounted_price(line) * quantity)
            for line, quantity, restock, location in wanted if quantity > 0]


def _allocate(shop, order, amount: Decimal) -> list[dict]:
    suggestions, left = [], amount
    for transaction in (shop.transactions[t] for t in order.transaction_ids):
        if left <= 0:
            break
        if transaction.kind not in PAYMENT_KINDS or transaction.status != "SUCCESS":
            continue
        available = refundable_payment(shop, order, transaction.id)
        share = min(available, left)
        if share <= 0:
            continue
        left -= share
        suggestions.append({"amountSet": money(share, shop.currency), "gateway": transaction.gateway,
                            "formattedGateway": transaction.gateway.replace("_", " ").title(),
                            "kind": "SUGGESTED_REFUND", "parentTransaction": transaction,
                            "maximumRefundableSet": money(available, shop.currency), "accountNumber": None})
    return suggestions
