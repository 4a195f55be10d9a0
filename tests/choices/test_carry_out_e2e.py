"""Each option, chosen on the page, carried out through the emulated Admin API exactly once."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app import db
from app.choices import links, offers, order_edits, refunds
from app.models import CaseEvent, Compensation, Notification, SideEffect, StockoutCase
from app.shopify.client import client_for
from jobs import choices as choice_jobs
from tests.choices.emulated import release_scheduled


def _form(page: str) -> dict:
    return {"form_token": re.search(r'name="form_token" value="([^"]+)"', page).group(1),
            "expected": re.search(r'name="expected" value="([^"]*)"', page).group(1)}


def _variants(store, *, min_price: str = "0") -> list[tuple[dict, dict]]:
    return [(product, variant) for product in store.products() if product["status"] == "ACTIVE"
            for variant in product["variants"]["nodes"] if Decimal(variant["price"]) >= Decimal(min_price)]


def _choose(store_app, case, key: str, times: int = 1) -> None:
    client = store_app.test_client()
    token = links.choice_token(case.shop_id, case.id)
    form = _form(client.get(f"/c/{token}").get_data(as_text=True))
    for _ in range(times):
        assert client.post(f"/c/{token}/choose", data={**form, "offer": key}).status_code == 303


def _fresh(case) -> StockoutCase:
    db.session().expire_all()
    return db.session().get(StockoutCase, case.id)


def test_a_refund_clicked_twice_refunds_the_short_line_and_shipping_once(store, store_app, work, emulator):
    product, variant = _variants(store)[0]
    case = store.open_case(variant["id"])
    _choose(store_app, case, "refund", times=2)
    assert work() >= 1
    order = store.order_state(case.order_gid)
    assert len(order["refunds"]) == 1
    assert Decimal(order["refunds"][0]["totalRefundedSet"]["shopMoney"]["amount"]) == Decimal(variant["price"]) + 10
    assert order["lineItems"]["nodes"][0]["currentQuantity"] == 0
    case = _fresh(case)
    assert case.status == "resolved" and case.resolved_at is not None
    coupon = db.session().scalars(select(Compensation)).one()
    assert coupon.status == "granted" and coupon.coupon_code.startswith("SORRY-")
    assert coupon.amount == (Decimal(case.order_total) * Decimal("0.05")).quantize(Decimal("0.01"))
    discounts = list(emulator.shop_state().discounts.values())
    assert [d.code for d in discounts] == [coupon.coupon_code]
    assert discounts[0].usage_limit == 1 and discounts[0].applies_once_per_customer
    kinds = sorted(db.session().scalars(select(Notification.kind)))
    assert kinds == ["choice_confirmed", "refund_done"]

    with client_for(store.shop.id) as client:
        # A worker that died after Shopify refunded but before we recorded it: the retry reuses the key.
        effect = db.session().scalars(select(SideEffect).where(SideEffect.kind == "refund")).one()
        effect.status = "failed"
        db.session().commit()
        refunds.refund_short_lines(client, case)
    assert len(store.order_state(case.order_gid)["refunds"]) == 1
    assert db.session().scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.kind == "choice_carried_out")) == 1


def _product(store, title: str) -> dict:
    return next(p for p in store.products() if p["title"] == title)


def _order_variants(order: dict) -> dict[str, int]:
    return {line["variant"]["id"]: line["currentQuantity"] for line in order["lineItems"]["nodes"]}


def test_a_substitute_of_the_same_price_swaps_the_line_through_an_order_edit_once(store, store_app, work):
    tee = _product(store, "经典圆领T恤")["variants"]["nodes"]
    short, substitute = tee[0]["id"], tee[1]["id"]
    store.set_stock(substitute, 500)
    case = store.open_case(short)
    choice_jobs.prepare_offer(store.shop.id, case.id)
    offered = [offer.variant_gid for offer in offers.offers_for(case) if offer.option == "substitute"]
    assert len(offered) == 3 and offered[0] == substitute
    _choose(store_app, case, f"substitute:{substitute}", times=2)
    work()
    order = store.order_state(case.order_gid)
    assert _order_variants(order) == {short: 0, substitute: 1}
    assert order["refunds"] == []
    with client_for(store.shop.id) as client:
        db.session().scalars(select(SideEffect).where(SideEffect.kind == "order_edit")).one().status = "failed"
        db.session().commit()
        fresh = _fresh(case)
        result = order_edits.swap_lines(client, fresh, [order_edits.Swap(fresh.lines[0], substitute)])
    assert result["already_done"] is True
    assert _order_variants(store.order_state(case.order_gid)) == {short: 0, substitute: 1}
    assert _fresh(case).status == "resolved"


def test_a_cheaper_substitute_refunds_the_difference(store, store_app, work):
    caps = _product(store, "棒球帽")["variants"]["nodes"]
    beanie = _product(store, "针织毛线帽")["variants"]["nodes"][0]["id"]
    for cap in caps[1:]:
        store.set_stock(cap["id"], 0)
    store.set_stock(beanie, 8)
    case = store.open_case(caps[0]["id"])
    choice_jobs.prepare_offer(store.shop.id, case.id)
    page = store_app.test_client().get(f"/c/{links.choice_token(case.shop_id, case.id)}").get_data(as_text=True)
    assert "针织毛线帽" in page and "便宜" in page
    _choose(store_app, case, f"substitute:{beanie}")
    work()
    order = store.order_state(case.order_gid)
    assert _order_variants(order) == {caps[0]["id"]: 0, beanie: 1}
    assert [Decimal(r["totalRefundedSet"]["shopMoney"]["amount"]) for r in order["refunds"]] == [Decimal("30.00")]


def test_silence_until_the_deadline_applies_the_shops_default_refund(store, store_app, work):
    store.shop.settings.default_after_deadline = "refund"
    db.session().commit()
    variant = _product(store, "珠地Polo衫")["variants"]["nodes"][0]
    case = store.open_case(variant["id"])
    case.choice_deadline_at = db.utcnow() - timedelta(minutes=1)
    db.session().commit()
    assert choice_jobs.sweep_deadlines() == 1
    work()
    order = store.order_state(case.order_gid)
    assert len(order["refunds"]) == 1
    case = _fresh(case)
    assert case.choice == "refund" and case.status == "resolved"
    assert sorted(db.session().scalars(select(Notification.kind))) == ["default_applied", "refund_done"]


def test_waiting_then_a_second_long_delay_without_a_yes_ends_in_a_refund(store, store_app, work, emulator):
    variant = _product(store, "牛津纺衬衫")["variants"]["nodes"][0]
    case = store.open_case(variant["id"])
    _choose(store_app, case, "wait", times=2)
    work()
    assert choice_jobs.carry_out(store.shop.id, case.id) is None
    assert store.order_state(case.order_gid)["tags"] == ["stockout-priority"]
    assert len(emulator.shop_state().discounts) == 1 and _fresh(case).status == "waiting"
    assert choice_jobs.restock_date_slipped(store.shop.id, case.id, "2026-12-01", "2026-12-15") is False
    work()
    assert choice_jobs.restock_date_slipped(store.shop.id, case.id, "2026-12-15", "2027-02-20") is True
    work()
    assert store.order_state(case.order_gid)["refunds"] == []
    case = _fresh(case)
    case.delay_consent_due_at = db.utcnow() - timedelta(seconds=1)
    db.session().commit()
    assert release_scheduled("jobs.choices.refund_without_consent") == 1
    work()
    order = store.order_state(case.order_gid)
    assert len(order["refunds"]) == 1 and order["tags"] == []
    assert len(emulator.shop_state().discounts) == 1
    kinds = sorted(db.session().scalars(select(Notification.kind)))
    assert kinds == ["backorder_update", "backorder_update", "choice_confirmed", "default_applied", "refund_done"]
