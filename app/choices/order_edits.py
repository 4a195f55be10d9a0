"""Swapping the short line for the chosen substitute through order editing, once per case."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from app.choices import side_effects
from app.domain.money import minor_units
from app.choices.shopify_order import GraphQLClient, variant_state
from app.models import CaseLine, StockoutCase
from app.shopify import documents


def edit_key(case: StockoutCase) -> str:
    """The idempotency key of the case's one order edit."""
    return f"order_edit:{case.shop_id}:{case.id}"


def _numeric(gid: str | None) -> str:
    return (gid or "").rsplit("/", 1)[-1].split("?")[0]


def _calculated_line(lines: list[dict], line: CaseLine) -> dict | None:
    """The calculated line standing for the order line: same variant, else the same number."""
    for node in lines:
        if line.variant_gid and (node.get("variant") or {}).get("id") == line.variant_gid:
            return node
    return next((node for node in lines if _numeric(node["id"]) == _numeric(line.line_item_gid)), None)


def _already_swapped(lines: list[dict], substitute_gid: str, line: CaseLine) -> bool:
    """A retry after a commit we never heard back from: the substitute is on the order and the line is gone."""
    has_substitute = any((node.get("variant") or {}).get("id") == substitute_gid for node in lines)
    original = _calculated_line(lines, line)
    return has_substitute and (original is None or original["quantity"] <= line.quantity_ordered - line.quantity_short)


def per_unit(covered: Decimal, units: int, currency: str) -> Decimal:
    """A fixed order-edit line discount applies to each unit: split the covered total, never exceeding it."""
    step = Decimal(1).scaleb(-minor_units(currency))
    return (covered / max(units, 1)).quantize(step, rounding=ROUND_DOWN)


def _swap(client: GraphQLClient, case: StockoutCase, line: CaseLine, substitute_gid: str, covered: Decimal) -> dict:
    stock = variant_state(client, substitute_gid)
    begun = client.graphql(documents.ORDER_EDIT_BEGIN, id=case.order_gid)["orderEditBegin"]["calculatedOrder"]
    edit_id, lines = begun["id"], begun["lineItems"]["nodes"]
    if _already_swapped(lines, substitute_gid, line):
        return {"calculated_order": edit_id, "committed": False, "already_done": True}
    original = _calculated_line(lines, line)
    if original is None:
        raise LookupError(f"line {line.line_item_gid} is not on order {case.order_gid} any more")
    if stock.available < line.quantity_short:
        raise LookupError(f"the substitute {substitute_gid} has only {stock.available} left; the merchant must decide")
    added = client.graphql(
        documents.ORDER_EDIT_ADD_VARIANT, id=edit_id, variantId=substitute_gid, quantity=line.quantity_short,
        allowDuplicates=False,
    )["orderEditAddVariant"]["calculatedLineItem"]
    client.graphql(
        documents.ORDER_EDIT_SET_QUANTITY, id=edit_id, lineItemId=original["id"],
        quantity=max(original["quantity"] - line.quantity_short, 0), restock=False,
    )
    if covered > 0:
        client.graphql(
            documents.ORDER_EDIT_ADD_LINE_ITEM_DISCOUNT, id=edit_id, lineItemId=added["id"],
            discount={"fixedValue": {"amount": str(per_unit(covered, line.quantity_short, case.currency)),
                                     "currencyCode": case.currency},
                      "description": "Price difference covered by the shop (stockout)"},
        )
    committed = client.graphql(
        documents.ORDER_EDIT_COMMIT, id=edit_id, notifyCustomer=False,
        staffNote=f"Stockout Concierge: the customer chose a substitute for {line.title}",
    )["orderEditCommit"]
    return {"calculated_order": edit_id, "committed": True, "order": (committed.get("order") or {}).get("id"),
            "added_line": added["id"], "covered": str(covered)}


def swap_line(client: GraphQLClient, case: StockoutCase, substitute_gid: str, covered: Decimal) -> dict:
    """Add the substitute, take the short units off, discount the covered difference, commit."""
    line = next(line for line in case.lines if line.quantity_short > 0)
    return side_effects.perform(
        case.shop_id, case.id, "order_edit", edit_key(case),
        {"line": line.line_item_gid, "substitute": substitute_gid, "covered": str(covered)},
        lambda _row: _swap(client, case, line, substitute_gid, covered),
    )
