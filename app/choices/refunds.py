"""Refunding what cannot ship (and shipping, when nothing is left to ship), once per case."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable

from app import db
from app.choices import side_effects
from app.choices.shopify_order import GraphQLClient, OrderSnapshot, fetch_order
from app.models import StockoutCase
from app.shopify import documents


@dataclass(frozen=True)
class RefundPlan:
    """Which lines to refund, how many units, and whether shipping goes back too."""

    lines: tuple[tuple[str, int], ...]
    refund_shipping: bool


def plan_refund(order: OrderSnapshot, short: dict[str, int]) -> RefundPlan:
    """Refund the short units still refundable; shipping too when the order would ship nothing at all."""
    lines = []
    ships = 0
    for line in order.lines:
        quantity = min(short.get(line.id, 0), line.refundable_quantity, line.unfulfilled_quantity)
        if quantity > 0:
            lines.append((line.id, quantity))
        # Units already shipped used the shipping the customer paid for; units left will still use it.
        ships += max(line.current_quantity - quantity, 0)
    return RefundPlan(tuple(lines), refund_shipping=bool(lines) and ships == 0)


def refund_key(case: StockoutCase) -> str:
    """The idempotency key of the case's one refund (also sent to Shopify's @idempotent)."""
    return f"refund:{case.shop_id}:{case.id}"


def _input(client: GraphQLClient, case: StockoutCase, plan: RefundPlan, note: str) -> dict:
    refund_lines = [{"lineItemId": gid, "quantity": qty, "restockType": "CANCEL"} for gid, qty in plan.lines]
    suggested = client.graphql(
        documents.ORDER_REFUND_SUGGESTION, id=case.order_gid, refundLineItems=refund_lines,
        refundShipping=plan.refund_shipping, suggestFullRefund=False,
    )["order"]["suggestedRefund"]
    transactions = [
        {"orderId": case.order_gid, "parentId": t["parentTransaction"]["id"], "gateway": t["gateway"], "kind": "REFUND",
         "amount": t["amountSet"]["shopMoney"]["amount"]}
        for t in suggested["suggestedTransactions"]
        if Decimal(t["amountSet"]["shopMoney"]["amount"]) > 0
    ]
    data = {"orderId": case.order_gid, "note": note, "notify": False, "refundLineItems": refund_lines,
            "transactions": transactions}
    if plan.refund_shipping:
        data["shipping"] = {"fullRefund": True}
    return data


def _run_refund(client: GraphQLClient, row, build_input: Callable[[], dict | None]) -> dict:
    """Send the refund; a retry sends the very input first sent, so the idempotency key matches it."""
    request = dict(row.request or {})
    if "input" not in request:
        request["input"] = build_input()
        row.request = request
        db.session().commit()
    if request["input"] is None:
        return {"refund_id": None, "amount": "0", "currency": None, "gateway": None, "lines": [],
                "skipped": "nothing was left to refund (already refunded or shipped)"}
    data = client.graphql(documents.REFUND_CREATE, input=request["input"], idempotencyKey=row.idempotency_key)
    refund = data["refundCreate"]["refund"] or {}
    total = (refund.get("totalRefundedSet") or {}).get("shopMoney") or {}
    gateways = sorted({t["gateway"] for t in request["input"].get("transactions", [])})
    return {"refund_id": refund.get("id"), "amount": total.get("amount", "0"), "currency": total.get("currencyCode"),
            "gateway": gateways[0] if gateways else None, "lines": request["input"].get("refundLineItems", [])}


def refund_short_lines(client: GraphQLClient, case: StockoutCase) -> dict:
    """Refund the case's short units through refundCreate, keyed `refund:<shop>:<case>`."""
    short = {line.line_item_gid: line.quantity_short for line in case.lines if line.quantity_short > 0}

    def build() -> dict | None:
        plan = plan_refund(fetch_order(client, case.order_gid), short)
        if not plan.lines:
            return None
        return _input(client, case, plan, f"Stockout {case.order_name}: the customer chose a refund")

    return side_effects.perform(
        case.shop_id, case.id, "refund", refund_key(case), {"lines": short},
        lambda row: _run_refund(client, row, build),
    )


def refund_difference(client: GraphQLClient, case: StockoutCase, amount: Decimal) -> dict:
    """Give back what a cheaper substitute saves, against the order's first payment."""

    def build() -> dict:
        order = fetch_order(client, case.order_gid)
        if not order.payments:
            raise LookupError(f"order {case.order_gid} has no payment to refund against")
        payment = order.payments[0]
        return {"orderId": case.order_gid, "note": f"Stockout {case.order_name}: cheaper substitute", "notify": False,
                "transactions": [{"orderId": case.order_gid, "parentId": payment.id, "gateway": payment.gateway,
                                  "kind": "REFUND", "amount": str(min(amount, payment.amount))}]}

    return side_effects.perform(
        case.shop_id, case.id, "refund", refund_key(case), {"difference": str(amount)},
        lambda row: _run_refund(client, row, build),
    )
