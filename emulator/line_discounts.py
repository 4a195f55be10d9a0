"""orderEditAddLineItemDiscount's rules: one manual discount per line, a percentage or a fixed amount off each unit."""
from decimal import Decimal

from . import gids
from .model import LineDiscount
from .order_math import ZERO, unit_discount
from .payload import user_error


def original_price(shop, staged) -> Decimal:
    """The unit price of a calculated line before discounts: the order line's, else the variant's today."""
    if staged.line_item_id is not None:
        return shop.line_items[staged.line_item_id].unit_price
    return shop.variants[staged.variant_id].price


def discount_of(shop, staged) -> LineDiscount | None:
    """The discount a calculated line carries: staged in this edit, else committed on the order line."""
    if staged.discount is not None or staged.line_item_id is None:
        return staged.discount
    return shop.line_items[staged.line_item_id].discount


def discounted_price(shop, staged) -> Decimal:
    price = original_price(shop, staged)
    return price - unit_discount(price, discount_of(shop, staged))


def stage(store, shop, edit, line_gid: str, data: dict):
    """(calculated line, discount, errors): stage a discount on a line added in, or kept by, this edit."""
    number = gids.number(line_gid, "CalculatedLineItem")
    staged = next((candidate for candidate in edit.lines if candidate.id == number), None)
    if staged is None:
        return None, None, [user_error(["lineItemId"], "The calculated line item does not exist.")]
    if staged.quantity < 1:
        return staged, None, [user_error(["lineItemId"], "A discount can't be added to a line item with a quantity "
                                                         "of 0.")]
    if discount_of(shop, staged) is not None:
        return staged, None, [user_error(["lineItemId"], "The line item already has a discount.")]
    errors = _value_errors(data, original_price(shop, staged), shop.orders[edit.order_id].currency)
    if errors:
        return staged, None, errors
    fixed = data.get("fixedValue")
    staged.discount = LineDiscount(id=store.new_id(), description=(data.get("description") or "").strip(),
                                   percentage=data.get("percentValue"),
                                   amount=Decimal(fixed["amount"]) if fixed else None)
    return staged, staged.discount, []


def _value_errors(data: dict, price: Decimal, currency: str) -> list:
    fixed, percent = data.get("fixedValue"), data.get("percentValue")
    if (fixed is None) == (percent is None):
        return [user_error(["discount"], "Exactly one of fixedValue or percentValue must be provided.")]
    if percent is not None:
        if not 0 < percent <= 100:
            return [user_error(["discount", "percentValue"], "Percent value must be greater than 0 and at most 100.")]
        return []
    if fixed["currencyCode"] != currency:
        return [user_error(["discount", "fixedValue", "currencyCode"],
                           f"Currency must match the order's currency {currency}.")]
    amount = Decimal(fixed["amount"])
    if amount <= ZERO:
        return [user_error(["discount", "fixedValue", "amount"], "Amount must be greater than 0.")]
    if amount > price:
        return [user_error(["discount", "fixedValue", "amount"],
                           f"Amount can't be greater than the line item's unit price {price:.2f}.")]
    return []
