"""Swapping the short lines for the chosen substitutes through one order edit, once per case."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from app.choices import side_effects
from app.choices.picks import number
from app.domain.money import minor_units
from app.choices.shopify_order import GraphQLClient, variant_state
from app.models import CaseLine, StockoutCase
from app.shopify import documents


def edit_key(case: StockoutCase) -> str:
    """The idempotency key of the case's one order edit."""
    return f"order_edit:{case.shop_id}:{case.id}"


def _calculated_line(lines: list[dict], line: CaseLine) -> dict | None:
    """The calculated line standing for the order line: same variant, else the same number."""
    for node in lines:
        if line.variant_gid and (node.get("variant") or {}).get("id") == line.variant_gid:
            return node
    return next((node for node in lines if number(node["id"]) == number(line.line_item_gid)), None)


def _already_swapped(lines: list[dict], substitute_gid: str, line: CaseLine) -> bool:
    """A retry after a commit we never heard back from: the substitute is on the order and the line is gone."""
    has_substitute = any((node.get("variant") or {}).get("id") == substitute_gid for node in lines)
    original = _calculated_line(lines, line)
    return has_substitute and (original is None or original["quantity"] <= line.quantity_ordered - line.quantity_short)


def per_unit(covered: Decimal, units: int, currency: str) -> Decimal:
    """A fixed order-edit line discount applies to each unit: split the covered total, never exceeding it."""
    step = Decimal(1).scaleb(-minor_units(currency))
    return (covered / max(units, 1)).quantize(step, rounding=ROUND_DOWN)


@dataclass(frozen=True)
class Swap:
    """One short line to replace: by which variant, and how much of the extra cost the shop covers."""

    line: CaseLine
    substitute_gid: str
    covered: Decimal = Decimal(0)


def _shortfall(client: GraphQLClient, swaps: list[Swap]) -> str | None:
    """Why the substitutes cannot be added now (not enough of one left), or None."""
    needed: Counter[str] = Counter()
    for swap in swaps:
        needed[swap.substitute_gid] += swap.line.quantity_short
    for gid, units in needed.items():
        available = variant_state(client, gid).available
        if available < units:
            return f"the substitute {gid} has only {available} left; the merchant must decide"
    return None


def _stage(client: GraphQLClient, case: StockoutCase, edit_id: str, swap: Swap, original: dict) -> str:
    """Add the substitute, take the short units off, and discount what the shop covers; the added line's id."""
    line = swap.line
    added = client.graphql(
        documents.ORDER_EDIT_ADD_VARIANT, id=edit_id, variantId=swap.substitute_gid, quantity=line.quantity_short,
        allowDuplicates=True,
    )["orderEditAddVariant"]["calculatedLineItem"]
    client.graphql(
        documents.ORDER_EDIT_SET_QUANTITY, id=edit_id, lineItemId=original["id"],
        quantity=max(original["quantity"] - line.quantity_short, 0), restock=False,
    )
    if swap.covered > 0:
        client.graphql(
            documents.ORDER_EDIT_ADD_LINE_ITEM_DISCOUNT, id=edit_id, lineItemId=added["id"],
            discount={"fixedValue": {"amount": str(per_unit(swap.covered, line.quantity_short, case.currency)),
                                     "currencyCode": case.currency},
                      "description": "Price difference covered by the shop (stockout)"},
        )
    return added["id"]


def _swap(client: GraphQLClient, case: StockoutCase, swaps: list[Swap]) -> dict:
    shortfall = _shortfall(client, swaps)
    begun = client.graphql(documents.ORDER_EDIT_BEGIN, id=case.order_gid)["orderEditBegin"]["calculatedOrder"]
    edit_id, lines = begun["id"], begun["lineItems"]["nodes"]
    if all(_already_swapped(lines, swap.substitute_gid, swap.line) for swap in swaps):
        return {"calculated_order": edit_id, "committed": False, "already_done": True}
    originals = [_calculated_line(lines, swap.line) for swap in swaps]
    missing = [swap.line.line_item_gid for swap, original in zip(swaps, originals) if original is None]
    if missing:
        raise LookupError(f"lines {missing} are not on order {case.order_gid} any more")
    if shortfall:
        raise LookupError(shortfall)
    added = [_stage(client, case, edit_id, swap, original) for swap, original in zip(swaps, originals)]
    titles = ", ".join(swap.line.title for swap in swaps)
    committed = client.graphql(
        documents.ORDER_EDIT_COMMIT, id=edit_id, notifyCustomer=False,
        staffNote=f"Stockout Concierge: the customer chose a substitute for {titles}",
    )["orderEditCommit"]
    return {"calculated_order": edit_id, "committed": True, "order": (committed.get("order") or {}).get("id"),
            "added_lines": added, "covered": [str(swap.covered) for swap in swaps]}


def swap_lines(client: GraphQLClient, case: StockoutCase, swaps: list[Swap]) -> dict:
    """Replace each short line by its substitute in one order edit (add, take off, discount the covered), once."""
    return side_effects.perform(
        case.shop_id, case.id, "order_edit", edit_key(case),
        {"swaps": [{"line": swap.line.line_item_gid, "substitute": swap.substitute_gid, "covered": str(swap.covered)}
                   for swap in swaps]},
        lambda _row: _swap(client, case, swaps),
    )


def invoice_key(case: StockoutCase) -> str:
    """The idempotency key of the case's one invoice for a balance the edit left."""
    return f"invoice:{case.shop_id}:{case.id}"


def send_invoice(client: GraphQLClient, case: StockoutCase, amount: Decimal) -> dict:
    """E-mail the customer Shopify's invoice for the part of a dearer substitute the rules leave them to pay, once."""

    def send(_row) -> dict:
        email = {"to": case.email} if case.email else None
        sent = client.graphql(documents.ORDER_INVOICE_SEND, id=case.order_gid, email=email)["orderInvoiceSend"]
        order = sent["order"]
        return {"order": order["id"], "amount_due": order["totalOutstandingSet"]["shopMoney"]["amount"]}

    return side_effects.perform(case.shop_id, case.id, "invoice", invoice_key(case), {"amount": str(amount)}, send)
