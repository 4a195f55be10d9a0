"""Keyed side effects with a recording fake Admin client: order-edit discounts, a code already taken, retries."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app import db
from app.choices import coupons, order_edits, side_effects
from app.domain.compensation import CompensationGrant, CompensationKind, Option
from app.domain.money import Money
from app.models import Compensation, SideEffect
from app.shopify.errors import UserErrors


class FakeAdmin:
    """Answers named documents from a table of handlers and records every call, like the real client's interface."""

    def __init__(self, **handlers):
        self.handlers = handlers
        self.calls: list[tuple[str, dict]] = []

    def graphql(self, document: str, **variables) -> dict:
        name = re.match(r"\s*(?:query|mutation)\s+(\w+)", document).group(1)
        self.calls.append((name, variables))
        data = self.handlers[name](**variables)
        for mutation, result in data.items():
            if isinstance(result, dict) and result.get("userErrors"):
                raise UserErrors(name, mutation, result["userErrors"])
        return data

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def _edit_admin() -> FakeAdmin:
    lines = [{"id": "gid://shopify/CalculatedLineItem/21", "quantity": 1, "variant": {"id": "gid://shopify/ProductVariant/11"}}]
    return FakeAdmin(
        VariantRestockState=lambda id: {"productVariant": {"id": id, "inventoryQuantity": 4, "product": {
            "status": "ACTIVE", "onlineStoreUrl": "https://shop.example/products/x"}}},
        OrderEditBegin=lambda **_: {"orderEditBegin": {"calculatedOrder": {"id": "gid://shopify/CalculatedOrder/9",
                                                                           "lineItems": {"nodes": lines}}}},
        OrderEditAddVariant=lambda **_: {"orderEditAddVariant": {"calculatedLineItem": {
            "id": "gid://shopify/CalculatedLineItem/77"}, "userErrors": []}},
        OrderEditSetQuantity=lambda **_: {"orderEditSetQuantity": {"userErrors": []}},
        OrderEditAddLineItemDiscount=lambda **_: {"orderEditAddLineItemDiscount": {"userErrors": []}},
        OrderEditCommit=lambda **_: {"orderEditCommit": {"order": {"id": "gid://shopify/Order/1"}, "userErrors": []}},
    )


def test_a_dearer_substitute_gets_the_covered_difference_as_a_line_discount_once(case):
    admin = _edit_admin()
    result = order_edits.swap_line(admin, case, "gid://shopify/ProductVariant/12", Decimal("15.00"))
    again = order_edits.swap_line(admin, case, "gid://shopify/ProductVariant/12", Decimal("15.00"))
    assert result == again and result["committed"] is True
    assert admin.names() == ["VariantRestockState", "OrderEditBegin", "OrderEditAddVariant", "OrderEditSetQuantity",
                             "OrderEditAddLineItemDiscount", "OrderEditCommit"]
    discount = dict(admin.calls)["OrderEditAddLineItemDiscount"]
    assert discount["lineItemId"] == "gid://shopify/CalculatedLineItem/77"
    assert discount["discount"]["fixedValue"] == {"amount": "15.00", "currencyCode": "USD"}
    assert dict(admin.calls)["OrderEditSetQuantity"]["quantity"] == 0


def _grant() -> CompensationGrant:
    return CompensationGrant(option=Option.REFUND, kind=CompensationKind.PERCENT_OF_ORDER,
                             amount=Money("5.00", "USD"), percent=Decimal(5), ends_on=date(2026, 12, 24))


def test_a_code_taken_on_retry_means_it_was_created_so_it_is_looked_up_not_made_again(case):
    taken = [{"field": ["basicCodeDiscount", "code"], "message": "Code must be unique.", "code": "TAKEN"}]
    admin = FakeAdmin(
        DiscountCodeBasicCreate=lambda **_: {"discountCodeBasicCreate": {"codeDiscountNode": None, "userErrors": taken}},
        DiscountCodeByCode=lambda code: {"codeDiscountNodeByCode": {"id": "gid://shopify/DiscountCodeNode/5"}},
    )
    row = coupons.grant_coupon(admin, case, _grant())
    assert (row.status, row.discount_gid) == ("granted", "gid://shopify/DiscountCodeNode/5")
    assert admin.names() == ["DiscountCodeBasicCreate", "DiscountCodeByCode"]
    created = dict(admin.calls)["DiscountCodeBasicCreate"]["basicCodeDiscount"]
    assert created["usageLimit"] == 1 and created["appliesOncePerCustomer"] is True
    assert created["context"] == {"customers": {"add": ["gid://shopify/Customer/5"]}}
    assert created["customerGets"]["value"] == {"discountAmount": {"amount": "5.00", "appliesOnEachItem": False}}
    assert created["endsAt"].startswith("2026-12-24T23:59:59")
    assert coupons.grant_coupon(admin, case, _grant()).id == row.id
    assert len(admin.calls) == 2
    assert db.session().scalars(select(Compensation)).one().idempotency_key == f"coupon:{case.shop_id}:{case.id}"


def test_a_refused_side_effect_is_recorded_failed_and_retried_with_the_same_key(case):
    attempts = []

    def flaky(row):
        attempts.append(row.attempts)
        if len(attempts) == 1:
            raise UserErrors("RefundCreate", "refundCreate", [{"field": None, "message": "try later"}])
        return {"ok": True}

    with pytest.raises(UserErrors):
        side_effects.perform(case.shop_id, case.id, "refund", "refund:test", {}, flaky)
    row = db.session().scalars(select(SideEffect)).one()
    assert row.status == "failed" and "try later" in row.error
    assert side_effects.perform(case.shop_id, case.id, "refund", "refund:test", {}, flaky) == {"ok": True}
    assert side_effects.perform(case.shop_id, case.id, "refund", "refund:test", {}, flaky) == {"ok": True}
    assert attempts == [1, 2]


def test_a_side_effect_running_elsewhere_is_not_run_twice(case):
    session = db.session()
    session.add(SideEffect(shop_id=case.shop_id, case_id=case.id, kind="order_edit", idempotency_key="edit:busy",
                           status="running", updated_at=db.utcnow()))
    session.commit()
    with pytest.raises(side_effects.SideEffectBusy):
        side_effects.perform(case.shop_id, case.id, "order_edit", "edit:busy", {}, lambda row: {"ran": True})
