"""Keyed side effects: a coupon code already taken on retry (through the emulator), refused and busy effects."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app import db
from app.choices import coupons, side_effects
from app.domain.compensation import CompensationGrant, CompensationKind, Option
from app.domain.money import Money
from app.models import Compensation, SideEffect
from app.shopify.client import client_for
from app.shopify.errors import UserErrors


CUSTOMERS = "query TestCustomers { customers(first: 1) { nodes { id } } }"


def _grant() -> CompensationGrant:
    return CompensationGrant(option=Option.REFUND, kind=CompensationKind.PERCENT_OF_ORDER,
                             amount=Money("5.00", "CNY"), percent=Decimal(5), ends_on=date(2026, 12, 24))


def test_a_code_taken_on_retry_means_it_was_created_so_it_is_looked_up_not_made_again(store, emulator):
    customer = store.graphql(CUSTOMERS)["customers"]["nodes"][0]["id"]
    case = store.open_case(store.products()[0]["variants"]["nodes"][0]["id"], customer_gid=customer)
    with client_for(store.shop.id) as client:
        row = coupons.grant_coupon(client, case, _grant())
        first_gid = row.discount_gid
        # The worker died after Shopify created the code but before we recorded it: both records say "not yet".
        row.status, row.discount_gid = "pending", None
        db.session().scalars(select(SideEffect).where(SideEffect.kind == "coupon")).one().status = "failed"
        db.session().commit()
        again = coupons.grant_coupon(client, case, _grant())
    assert (again.id, again.status, again.discount_gid) == (row.id, "granted", first_gid)
    discounts = list(emulator.shop_state().discounts.values())
    assert len(discounts) == 1
    made = discounts[0]
    assert made.code == row.coupon_code and made.usage_limit == 1 and made.applies_once_per_customer
    assert made.customer_ids == [int(customer.rsplit("/", 1)[-1])]
    assert made.amount == Decimal("5.00") and made.ends_at.isoformat().startswith("2026-12-24T23:59:59")
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
