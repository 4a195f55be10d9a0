"""orderEditAddLineItemDiscount, and line discounts as calculated orders, orders and line items show them."""
from . import gids, line_discounts, order_edits, order_math
from .connections import whole
from .mutations_order_edits import session_of
from .payload import Payload, money


def register(reg) -> None:
    reg.fields("Mutation", scope="write_order_edits", orderEditAddLineItemDiscount=add_line_item_discount)
    reg.attrs("OrderEditAddLineItemDiscountPayload", "addedDiscountStagedChange", "calculatedLineItem",
              "calculatedOrder", "orderEditSession", "userErrors")
    reg.fields("OrderStagedChangeAddLineItemDiscount",
               id=lambda d, info: gids.gid("OrderStagedChangeAddLineItemDiscount", d.id),
               description=lambda d, info: d.description, value=lambda d, info: pricing_value(d, _currency(info)))
    reg.attrs("PricingPercentageValue", "percentage")
    reg.field("CalculatedLineItem", "calculatedDiscountAllocations", calculated_allocations)
    reg.field("CalculatedOrder", "addedDiscountApplications", added_applications)
    reg.attrs("CalculatedDiscountAllocation", "allocatedAmountSet", "discountApplication")
    application_fields = ("id", "allocationMethod", "appliedTo", "description", "targetSelection", "targetType",
                          "value")
    reg.attrs("CalculatedManualDiscountApplication", *application_fields)
    reg.attrs("CalculatedDiscountApplicationConnection", "edges", "nodes", "pageInfo")
    reg.attrs("CalculatedDiscountApplicationEdge", "cursor", "node")
    reg.fields("Order", discountApplications=order_applications,
               totalDiscountsSet=lambda o, info: money(_figures(info, o).discounts, o.currency),
               currentTotalDiscountsSet=lambda o, info: money(_figures(info, o).current_discounts, o.currency))
    reg.attrs("ManualDiscountApplication", "allocationMethod", "description", "index", "targetSelection",
              "targetType", "title", "value")
    reg.attrs("DiscountApplicationConnection", "edges", "nodes", "pageInfo")
    reg.attrs("DiscountApplicationEdge", "cursor", "node")
    reg.fields("LineItem", discountAllocations=line_allocations, totalDiscountSet=total_discount)
    reg.attrs("DiscountAllocation", "allocatedAmountSet", "discountApplication")


def _currency(info) -> str:
    return info.context.shop.currency


def _figures(info, order):
    return order_math.totals(info.context.shop, order)


def add_line_item_discount(obj, info, id, lineItemId, discount):
    store, shop = info.context.store, info.context.shop
    edit, errors = order_edits.find(shop, id)
    line = added = None
    if edit is not None:
        line, added, errors = line_discounts.stage(store, shop, edit, lineItemId, discount)
    return Payload(addedDiscountStagedChange=added, calculatedLineItem=line, calculatedOrder=edit,
                   orderEditSession=session_of(edit) if edit else None, userErrors=errors)


def pricing_value(discount, currency: str) -> dict:
    """PricingValue: a percentage as given (10.0 is ten percent off), else the amount off each unit."""
    if discount.percentage is not None:
        return {"__typename": "PricingPercentageValue", "percentage": discount.percentage}
    return {"__typename": "MoneyV2", "amount": discount.amount, "currencyCode": currency}


def _application(discount, currency: str) -> dict:
    return {"__typename": "CalculatedManualDiscountApplication",
            "id": gids.gid("CalculatedManualDiscountApplication", discount.id), "allocationMethod": "ACROSS",
            "appliedTo": "LINE", "description": discount.description or None, "targetSelection": "EXPLICIT",
            "targetType": "LINE_ITEM", "value": pricing_value(discount, currency)}


def calculated_allocations(staged, info) -> list[dict]:
    shop = info.context.shop
    discount = line_discounts.discount_of(shop, staged)
    if discount is None:
        return []
    off = order_math.unit_discount(line_discounts.original_price(shop, staged), discount) * staged.quantity
    return [{"allocatedAmountSet": money(off, shop.currency), "discountApplication": _application(discount,
                                                                                                  shop.currency)}]


def added_applications(edit, info, first=None, after=None, last=None, before=None, reverse=False):
    found = [_application(line.discount, _currency(info)) for line in edit.lines if line.discount is not None]
    return whole(found, first=first, after=after, last=last, before=before, reverse=reverse)


def _manual(discount, index: int, currency: str) -> dict:
    return {"__typename": "ManualDiscountApplication", "allocationMethod": "ACROSS",
            "description": discount.description or None, "index": index, "targetSelection": "EXPLICIT",
            "targetType": "LINE_ITEM", "title": discount.description or "Manual discount",
            "value": pricing_value(discount, currency)}


def order_applications(order, info, first=None, after=None, last=None, before=None, reverse=False):
    found = [_manual(line.discount, index, order.currency)
             for index, line in enumerate(order_math.discounted_lines(info.context.shop, order))]
    return whole(found, first=first, after=after, last=last, before=before, reverse=reverse)


def total_discount(line, info):
    return money(order_math.unit_discount(line.unit_price, line.discount) * line.quantity, _currency(info))


def line_allocations(line, info) -> list[dict]:
    if line.discount is None:
        return []
    shop = info.context.shop
    index = order_math.discounted_lines(shop, shop.orders[line.order_id]).index(line)
    return [{"allocatedAmountSet": total_discount(line, info),
             "discountApplication": _manual(line.discount, index, shop.currency)}]
