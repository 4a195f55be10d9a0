"""Restock plans: which applies, what a change does to cases and products, CSV import and metafields."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import db
from app.domain.catalogue_policy import RestockInfo, RestockReason
from app.models import CaseEvent, RestockPlan, StockoutCase, VariantStock
from app.stockout import restock
from app.stockout.effects import Effects
from app.stockout.restock import RestockPlanError
from app.stockout.restock_csv import import_restock_csv, parse_restock_csv
from app.stockout.restock_plans import set_restock_plan, sync_metafield_plan
from tests.stockout.conftest import queued
from tests.stockout.factories import at, gid, level, order, product_event

PRODUCT, VARIANT, ITEM, SECOND, SECOND_ITEM = 500, 900, 800, 901, 801
V, P = gid("ProductVariant", VARIANT), gid("Product", PRODUCT)
DAY = date(2026, 12, 1)


@pytest.fixture
def oversold(deliver):
    """Two variants of one product, Acme's; order 1 oversold on the first variant."""
    deliver("products/update", product_event(PRODUCT, [(VARIANT, ITEM), (SECOND, SECOND_ITEM)], vendor="Acme"))
    deliver("inventory_levels/update", level(ITEM, 0, at(0)))
    deliver("orders/create", order(1, [(VARIANT, 1)], at(1), product=PRODUCT))
    deliver("inventory_levels/update", level(ITEM, -1, at(1)))
    return db.session().scalars(select(StockoutCase)).one()


def resolved(shop, variant_gid=V):
    stock = db.session().scalars(select(VariantStock).where(VariantStock.variant_gid == variant_gid)).one()
    return restock.resolve(db.session(), shop, [stock], db.utcnow())[variant_gid]


def test_the_nearest_plan_applies(shop, oversold):
    set_restock_plan(shop.id, "shop", restock_date=DAY + timedelta(days=9), reason="other")
    assert resolved(shop) == RestockInfo(DAY + timedelta(days=9), RestockReason.OTHER)
    set_restock_plan(shop.id, "vendor", "Acme", restock_date=DAY + timedelta(days=5), reason="supplier_shortage")
    assert resolved(shop).expected_on == DAY + timedelta(days=5)
    set_restock_plan(shop.id, "product", P, restock_date=DAY + timedelta(days=3))
    assert resolved(shop) == RestockInfo(DAY + timedelta(days=3), RestockReason.UNKNOWN)
    set_restock_plan(shop.id, "variant", V, restock_date=DAY)
    assert resolved(shop).expected_on == DAY
    assert resolved(shop, gid("ProductVariant", SECOND)).expected_on == DAY + timedelta(days=3)


def test_a_lead_time_counts_from_the_day_the_variant_ran_out(shop, oversold):
    set_restock_plan(shop.id, "variant", V, lead_time_days=10)
    assert resolved(shop).expected_on == at(0).date() + timedelta(days=10)


def test_unknown_stays_unknown(shop, oversold):
    set_restock_plan(shop.id, "variant", V, reason="damaged_stock")
    assert resolved(shop) == RestockInfo(None, RestockReason.DAMAGED_STOCK)
    assert oversold.restock_date is None


@pytest.mark.parametrize(
    ("scope", "key", "fields"),
    [
        ("aisle", "", {}),
        ("variant", "gid://shopify/Product/1", {}),
        ("vendor", " ", {}),
        ("shop", "", {"lead_time_days": -1}),
        ("shop", "", {"reason": "weather"}),
        ("shop", "", {"restock_date": "2026-12-01"}),
    ],
)
def test_malformed_plans_are_refused_with_a_reason(scope, key, fields):
    fields = {"restock_date": None, "lead_time_days": None, "reason": "unknown", **fields}
    with pytest.raises(RestockPlanError):
        restock.check_plan(scope, key, fields["restock_date"], fields["lead_time_days"], fields["reason"])


def test_a_changed_date_reaches_a_notified_customer_and_reevaluates_the_product(shop, oversold):
    oversold.notified_at = db.utcnow()
    db.session().commit()
    set_restock_plan(shop.id, "variant", V, restock_date=DAY, reason="supplier_shortage")
    case = db.session().get(StockoutCase, oversold.id)
    assert case.restock_date == DAY
    event = db.session().scalars(select(CaseEvent).where(CaseEvent.kind == "restock_date_changed")).one()
    assert event.detail == {"old": None, "new": "2026-12-01"}
    assert ("jobs.choices.restock_date_slipped", (shop.id, case.id, None, "2026-12-01")) in queued("default")
    assert ("jobs.catalogue.apply_product", (shop.id, P)) in queued("default")


def test_a_case_opens_with_the_plans_reason_and_date(shop, deliver):
    deliver("products/update", product_event(PRODUCT, [(VARIANT, ITEM)]))
    set_restock_plan(shop.id, "product", P, restock_date=DAY, reason="supplier_shortage")
    deliver("inventory_levels/update", level(ITEM, 0, at(0)))
    deliver("orders/create", order(1, [(VARIANT, 1)], at(1), product=PRODUCT))
    deliver("inventory_levels/update", level(ITEM, -1, at(1)))
    case = db.session().scalars(select(StockoutCase)).one()
    assert (case.reason, case.restock_date) == ("supplier_shortage", DAY)
    assert db.session().scalars(select(CaseEvent.kind)).all() == ["opened"]


def test_a_late_inventory_correction_reads_as_a_sync_delay(shop, deliver):
    deliver("products/update", product_event(PRODUCT, [(VARIANT, ITEM)]))
    deliver("inventory_levels/update", level(ITEM, 5, at(0)))
    deliver("orders/create", order(1, [(VARIANT, 1)], at(1), product=PRODUCT))
    deliver("inventory_levels/update", level(ITEM, 4, at(1)))
    deliver("inventory_levels/update", level(ITEM, -1, at(600)))
    assert db.session().scalars(select(StockoutCase.reason)).one() == "inventory_sync_delay"


CSV = """SKU;restock_date;lead_time_days;reason
SKU-900;2026-12-01;;supplier_shortage
SKU-404;2026-12-01;;
;;;
SKU-901;tomorrow;;
SKU-901;;;
"""


def test_csv_rows_are_applied_or_refused_one_by_one(shop, oversold):
    applied, errors = import_restock_csv(shop.id, CSV)
    assert applied == 1
    assert [(e.row, e.message.split(" ")[0]) for e in errors] == [(3, "SKU"), (5, "restock_date"), (6, "nothing")]
    assert resolved(shop) == RestockInfo(DAY, RestockReason.SUPPLIER_SHORTAGE)
    assert db.session().get(StockoutCase, oversold.id).restock_date == DAY


def test_csv_by_product_and_vendor_and_a_bad_header(shop, oversold):
    text = "product_id,vendor,restock_date,reason\n500,,2026-12-03,\n,Acme,2026-12-09,demand_spike\n7,Acme,,\n"
    plans, errors = parse_restock_csv(text)
    assert [(p.target, p.value) for p in plans] == [("product_id", "500"), ("vendor", "Acme")]
    assert [e.row for e in errors] == [4]
    assert import_restock_csv(shop.id, text)[0] == 2
    assert resolved(shop).expected_on == date(2026, 12, 3)
    assert parse_restock_csv("name,when\nx,y\n")[1][0].row == 1


def test_the_metafield_and_the_admin_plan_take_turns_by_which_changed_last(shop, oversold):
    session, effects = db.session(), Effects(shop.id)
    assert sync_metafield_plan(session, shop, P, "2026-12-20", "Supplier shortage", db.utcnow(), effects)
    session.commit()
    assert resolved(shop) == RestockInfo(date(2026, 12, 20), RestockReason.SUPPLIER_SHORTAGE)
    assert not sync_metafield_plan(session, shop, P, "2026-12-20", "Supplier shortage", db.utcnow(), effects)
    set_restock_plan(shop.id, "product", P, restock_date=DAY)
    assert resolved(shop).expected_on == DAY
    assert sync_metafield_plan(session, shop, P, "2026-12-22", "late boat", db.utcnow(), effects)
    session.commit()
    assert resolved(shop) == RestockInfo(date(2026, 12, 22), RestockReason.OTHER)
    assert sync_metafield_plan(session, shop, P, None, None, db.utcnow(), effects)
    session.commit()
    assert resolved(shop).expected_on == DAY
    assert db.session().scalars(select(RestockPlan.scope)).all() == ["product"]


def test_a_scheduled_pass_asks_once_about_each_product_out_of_stock(shop, oversold):
    from app import queues
    from jobs.catalogue import reevaluate_shop

    queues.queue("default").empty()
    assert reevaluate_shop(shop.id) == 1
    assert reevaluate_shop(shop.id) == 0
    assert queued("default") == [("jobs.catalogue.apply_product", (shop.id, P))]
