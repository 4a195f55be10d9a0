"""Derived order figures (totals, payments, statuses) as pure functions of the records."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0")
CENT = Decimal("0.01")
PAYMENT_KINDS = ("SALE", "CAPTURE")


@dataclass(frozen=True)
class Totals:
    line_items: Decimal
    discounts: Decimal
    current_discounts: Decimal
    subtotal: Decimal
    shipping: Decimal
    total: Decimal
    original_total: Decimal
    received: Decimal
    refunded: Decimal

    @property
    def discounted_line_items(self) -> Decimal:
        return self.line_items - self.discounts

    @property
    def net_payment(self) -> Decimal:
        return self.received - self.refunded

    @property
    def outstanding(self) -> Decimal:
        return self.total - self.net_payment


def lines(shop, order) -> list:
    return [shop.line_items[i] for i in order.line_item_ids]


def unit_discount(price: Decimal, discount) -> Decimal:
    """What a manual line discount takes off each unit, never more than the unit's price."""
    if discount is None:
        return ZERO
    if discount.percentage is not None:
        off = (price * Decimal(str(discount.percentage)) / 100).quantize(CENT, ROUND_HALF_UP)
    else:
        off = discount.amount
    return min(off, price)


def discounted_price(line) -> Decimal:
    """The line's unit price after its line-level discount."""
    return line.unit_price - unit_discount(line.unit_price, line.discount)


def discounted_lines(shop, order) -> list:
    """Lines carrying a discount, in order: a line's position here is its discount application's index."""
    return [line for line in lines(shop, order) if line.discount is not None]


def totals(shop, order) -> Totals:
    """Money figures for the order as it stands (current quantities) and as first placed."""
    found = lines(shop, order)
    current = sum((discounted_price(line) * line.current_quantity for line in found), ZERO)
    original = sum((line.unit_price * line.quantity for line in found), ZERO)
    discounts = sum((unit_discount(line.unit_price, line.discount) * line.quantity for line in found), ZERO)
    current_discounts = sum((unit_discount(line.unit_price, line.discount) * line.current_quantity
                             for line in found), ZERO)
    received = refunded = ZERO
    for transaction in (shop.transactions[t] for t in order.transaction_ids):
        if transaction.status != "SUCCESS":
            continue
        if transaction.kind in PAYMENT_KINDS:
            received += transaction.amount
        elif transaction.kind == "REFUND":
            refunded += transaction.amount
    refunded_shipping = sum((shop.refunds[r].shipping for r in order.refund_ids), ZERO)
    shipping = order.shipping - refunded_shipping
    return Totals(line_items=original, discounts=discounts, current_discounts=current_discounts, subtotal=current,
                  shipping=order.shipping, total=current + shipping,
                  original_total=original - discounts + order.shipping, received=received, refunded=refunded)


def financial_status(shop, order) -> str:
    """OrderDisplayFinancialStatus from payments and refunds."""
    figures = totals(shop, order)
    if figures.refunded > ZERO:
        return "REFUNDED" if figures.refunded >= figures.received else "PARTIALLY_REFUNDED"
    if order.cancelled_at is not None and figures.received == ZERO:
        return "VOIDED"
    if figures.received == ZERO:
        return "PENDING"
    return "PAID" if figures.received >= figures.total else "PARTIALLY_PAID"


def fulfillment_status(shop, order) -> str:
    """OrderDisplayFulfillmentStatus from fulfilled versus current quantities."""
    current = [line for line in lines(shop, order) if line.current_quantity > 0]
    fulfilled = sum(min(line.fulfilled_quantity, line.current_quantity) for line in current)
    wanted = sum(line.current_quantity for line in current)
    if wanted and fulfilled >= wanted:
        return "FULFILLED"
    if fulfilled:
        return "PARTIALLY_FULFILLED"
    return "UNFULFILLED"


def refundable_payment(shop, order, parent_id: int) -> Decimal:
    """What is left to refund against one sale/capture transaction."""
    parent = shop.transactions[parent_id]
    refunded = sum((t.amount for t in (shop.transactions[i] for i in order.transaction_ids)
                    if t.kind == "REFUND" and t.parent_id == parent_id and t.status == "SUCCESS"), ZERO)
    return parent.amount - refunded
