"""The shop's compensation rules (platform standard by default) and the reasons behind its cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app import db
from app.choices import reasons
from app.choices.rules import rules_for
from app.domain.compensation import CompensationKind, Option
from app.models import CompensationRuleRow, RestockPlan
from tests.choices.conftest import add_case, add_shop


def test_a_shop_without_rules_gets_the_platform_standard_and_its_own_rows_override_it(shop):
    rules = rules_for(shop.id)
    assert rules[Option.WAIT].kind == CompensationKind.PERCENT_OF_ORDER and rules[Option.WAIT].cap == Decimal(30)
    db.session().add(CompensationRuleRow(shop_id=shop.id, option="wait", kind="fixed_amount", value=Decimal("20"),
                                         priority_shipping=True, validity_days=60))
    db.session().commit()
    rules = rules_for(shop.id)
    assert (rules[Option.WAIT].kind, rules[Option.WAIT].value, rules[Option.WAIT].validity_days) == (
        CompensationKind.FIXED_AMOUNT, Decimal("20"), 60)
    assert rules[Option.REFUND].kind == CompensationKind.PERCENT_OF_ORDER
    other = add_shop("other-shop.myshopify.com")
    assert rules_for(other.id)[Option.WAIT].kind == CompensationKind.PERCENT_OF_ORDER


def test_reasons_are_counted_per_shop(shop):
    for n, reason in enumerate(("oversold", "supplier_delay", "oversold")):
        add_case(shop, order_gid=f"gid://shopify/Order/{n}", reason=reason)
    add_case(add_shop("elsewhere.myshopify.com"), reason="damaged")
    assert reasons.reason_counts(shop.id) == {"oversold": 2, "supplier_delay": 1}


def test_the_merchant_records_the_suppliers_answer_on_a_restock_plan(shop):
    plan = RestockPlan(shop_id=shop.id, scope="product", scope_key="gid://shopify/Product/31", reason="supplier_shortage")
    db.session().add(plan)
    db.session().commit()
    saved = reasons.record_supplier_response(shop.id, plan.id, "  Confirmed: 200 units ship on Dec 3.  ")
    assert saved.supplier_response == "Confirmed: 200 units ship on Dec 3."
    with pytest.raises(LookupError):
        reasons.record_supplier_response(add_shop("x.myshopify.com").id, plan.id, "not theirs")
    with pytest.raises(ValueError):
        reasons.record_supplier_response(shop.id, plan.id, "x" * 2001)
