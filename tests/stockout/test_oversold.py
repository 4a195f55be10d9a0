"""Oversold orders: first come, first served, one case per order whatever order the events arrive in."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import db, queues
from app.choices import back_in_stock
from app.models import BackInStockSubscription, CaseEvent, LedgerOrder, StockoutCase, VariantStock
from app.stockout.effects import shortage_moved_key
from tests.stockout.conftest import open_cases, queued
from tests.stockout.factories import at, gid, level, line_gid, order, product_event, refund

PRODUCT, VARIANT, ITEM = 500, 900, 800


def flash_sale_events(stock=3, buyers=5, variant=VARIANT, item=ITEM, first_order=1):
    """A product with `stock` units and `buyers` one-unit orders a second apart, each with its level update."""
    events = [("inventory_levels/update", level(item, stock, at(0)))]
    for n in range(1, buyers + 1):
        events.append(("orders/create", order(first_order + n - 1, [(variant, 1)], at(n), product=PRODUCT)))
        events.append(("inventory_levels/update", level(item, stock - n, at(n))))
    return events


@pytest.fixture
def known_variant(deliver):
    deliver("products/update", product_event(PRODUCT, [(VARIANT, ITEM)]))


def short_orders(shop_id):
    return {order_gid: sum(lines.values()) for order_gid, lines in open_cases(shop_id).items()}


def test_flash_sale_in_order_opens_a_case_for_each_of_the_last_orders(shop, deliver, known_variant):
    for topic, body in flash_sale_events():
        deliver(topic, body)
    assert short_orders(shop.id) == {gid("Order", 4): 1, gid("Order", 5): 1}
    case = db.session().scalars(select(StockoutCase).where(StockoutCase.order_gid == gid("Order", 5))).one()
    assert case.notify_deadline_at == case.detected_at + timedelta(minutes=120)
    assert (case.reason, case.order_name, case.email) == ("demand_spike", "#5", "buyer5@example.com")
    assert case.lines[0].line_item_gid == line_gid(5) and case.lines[0].variant_gid == gid("ProductVariant", VARIANT)
    opened = [args for name, args in queued("default") if name == "jobs.choices.prepare_offer"]
    assert sorted(opened) == sorted([(shop.id, case.id), (shop.id, case.id - 1)])
    assert ("jobs.catalogue.apply_product", (shop.id, gid("Product", PRODUCT))) in queued("default")


def test_any_arrival_order_and_duplicates_end_with_the_same_cases(shop, deliver):
    expected = {}
    for seed in range(4):
        variant, item, first = VARIANT + 10 * seed, ITEM + 10 * seed, 100 * (seed + 1)
        deliver("products/update", product_event(PRODUCT, [(variant, item)]))
        events = flash_sale_events(variant=variant, item=item, first_order=first) * 2
        random.Random(seed).shuffle(events)
        for topic, body in events:
            deliver(topic, body)
        expected.update({gid("Order", first + 3): 1, gid("Order", first + 4): 1})
        assert short_orders(shop.id) == expected
    per_order = db.session().execute(
        select(StockoutCase.order_gid, func.count()).group_by(StockoutCase.order_gid)).all()
    assert all(count == 1 for _, count in per_order)


def test_a_case_opened_too_early_is_withdrawn_when_the_later_order_arrives(shop, deliver, known_variant):
    deliver("inventory_levels/update", level(ITEM, 2, at(0)))
    deliver("inventory_levels/update", level(ITEM, -1, at(3)))
    deliver("orders/create", order(1, [(VARIANT, 1)], at(1), product=PRODUCT))
    deliver("orders/create", order(2, [(VARIANT, 1)], at(2), product=PRODUCT))
    assert short_orders(shop.id) == {gid("Order", 2): 1}
    deliver("orders/create", order(3, [(VARIANT, 1)], at(3), product=PRODUCT))
    assert short_orders(shop.id) == {gid("Order", 3): 1}
    early = db.session().scalars(select(StockoutCase).where(StockoutCase.order_gid == gid("Order", 2))).one()
    assert (early.status, early.closed_at is not None) == ("withdrawn", True)
    assert ("jobs.notify.cancel_case", (shop.id, early.id)) in queued("notifications")
    moved = queues.redis().get(shortage_moved_key(shop.id, gid("ProductVariant", VARIANT)))
    assert moved is not None, "the move is recorded: the later order's notice waits for the picture to settle"


def test_an_out_of_stock_variant_that_sells_on_moves_nobodys_shortage(shop, deliver, known_variant):
    for topic, body in flash_sale_events(stock=0, buyers=3):
        deliver(topic, body)
    assert short_orders(shop.id) == {gid("Order", n): 1 for n in (1, 2, 3)}
    assert queues.redis().get(shortage_moved_key(shop.id, gid("ProductVariant", VARIANT))) is None


def test_a_new_cases_notice_waits_for_late_webhooks_to_settle_who_is_short(app_context, shop, deliver, known_variant,
                                                                           monkeypatch):
    from dataclasses import replace

    monkeypatch.setitem(app_context.config, "SETTINGS", replace(app_context.config["SETTINGS"], notice_settle_seconds=20))
    deliver("inventory_levels/update", level(ITEM, 0, at(0)))
    deliver("orders/create", order(1, [(VARIANT, 1)], at(1), product=PRODUCT))
    deliver("inventory_levels/update", level(ITEM, -1, at(1)))
    case = db.session().scalars(select(StockoutCase)).one()
    assert not [name for name, _ in queued("default") if name == "jobs.choices.prepare_offer"]
    registry = queues.queue("default").scheduled_job_registry
    job_id = f"prepare-offer-{shop.id}-{case.id}"
    assert registry.get_job_ids() == [job_id]
    starts_in = registry.get_scheduled_time(job_id) - db.utcnow()
    assert timedelta(seconds=15) < starts_in <= timedelta(seconds=20)


def test_a_line_short_by_part_of_its_quantity(shop, deliver, known_variant):
    deliver("inventory_levels/update", level(ITEM, 2, at(0)))
    deliver("orders/create", order(1, [(VARIANT, 3)], at(1), product=PRODUCT))
    deliver("inventory_levels/update", level(ITEM, -1, at(1)))
    assert open_cases(shop.id) == {gid("Order", 1): {line_gid(1): 1}}


def test_stock_coming_back_before_anyone_was_told_withdraws_the_case(shop, deliver, known_variant):
    deliver("inventory_levels/update", level(ITEM, 0, at(0)))
    deliver("orders/create", order(1, [(VARIANT, 1)], at(1), product=PRODUCT))
    deliver("inventory_levels/update", level(ITEM, -1, at(1)))
    assert short_orders(shop.id) == {gid("Order", 1): 1}
    deliver("inventory_levels/update", level(ITEM, 4, at(60)))
    assert short_orders(shop.id) == {}


def test_a_notified_case_keeps_its_lines_when_stock_comes_back(shop, deliver, known_variant):
    deliver("inventory_levels/update", level(ITEM, 0, at(0)))
    deliver("orders/create", order(1, [(VARIANT, 1)], at(1), product=PRODUCT))
    deliver("inventory_levels/update", level(ITEM, -1, at(1)))
    case = db.session().scalars(select(StockoutCase)).one()
    case.notified_at = db.utcnow()
    db.session().commit()
    deliver("inventory_levels/update", level(ITEM, 4, at(60)))
    assert short_orders(shop.id) == {gid("Order", 1): 1}


def test_a_told_customer_whose_unit_a_later_order_turns_out_to_hold_is_served_first_come(shop, deliver, known_variant):
    deliver("inventory_levels/update", level(ITEM, 1, at(0)))
    deliver("inventory_levels/update", level(ITEM, -1, at(3)))
    deliver("orders/create", order(1, [(VARIANT, 1)], at(1), product=PRODUCT))
    deliver("orders/create", order(2, [(VARIANT, 1)], at(2), product=PRODUCT))
    told = db.session().scalars(select(StockoutCase).where(StockoutCase.order_gid == gid("Order", 2))).one()
    told.notified_at = db.utcnow()
    db.session().commit()
    deliver("orders/create", order(3, [(VARIANT, 1)], at(3), product=PRODUCT))
    assert short_orders(shop.id) == {gid("Order", 2): 1, gid("Order", 3): 1}, "what a customer was told stays"
    [(shop_id, variant_gid, available)] = returned_jobs()
    assert back_in_stock.stock_returned(shop_id, variant_gid, available)["orders_served"] == [told.id]
    assert short_orders(shop.id) == {gid("Order", 3): 1}


def test_an_older_order_event_does_not_undo_a_newer_one(shop, deliver, known_variant):
    deliver("inventory_levels/update", level(ITEM, 0, at(0)))
    deliver("orders/cancelled", order(1, [(VARIANT, 1)], at(1), product=PRODUCT, updated=at(30), cancelled=True))
    deliver("orders/create", order(1, [(VARIANT, 1)], at(1), product=PRODUCT))
    recorded = db.session().scalars(select(LedgerOrder)).one()
    assert recorded.cancelled_at == at(30)
    deliver("inventory_levels/update", level(ITEM, -1, at(40)))
    assert short_orders(shop.id) == {}


def test_cancelling_an_oversold_order_cancels_its_case(shop, deliver, known_variant):
    for topic, body in flash_sale_events():
        deliver(topic, body)
    deliver("orders/cancelled", order(5, [(VARIANT, 1)], at(5), product=PRODUCT, updated=at(90), cancelled=True))
    case = db.session().scalars(select(StockoutCase).where(StockoutCase.order_gid == gid("Order", 5))).one()
    assert (case.status, case.closed_at is not None) == ("cancelled", True)
    deliver("inventory_levels/update", level(ITEM, -1, at(90)))
    assert short_orders(shop.id) == {gid("Order", 4): 1}
    kinds = db.session().scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert kinds == ["opened", "cancelled"]


def test_a_refund_of_every_short_line_closes_the_case(shop, deliver, known_variant):
    for topic, body in flash_sale_events():
        deliver(topic, body)
    deliver("refunds/create", refund(61, 4, [(0, 1)], at(60)))
    case = db.session().scalars(select(StockoutCase).where(StockoutCase.order_gid == gid("Order", 4))).one()
    assert (case.status, case.closed_at is not None) == ("closed", True)
    assert short_orders(shop.id) == {gid("Order", 5): 1}
    deliver("inventory_levels/update", level(ITEM, -1, at(60)))
    assert short_orders(shop.id) == {gid("Order", 5): 1}


def test_a_partial_refund_leaves_the_case_open(shop, deliver, known_variant):
    deliver("inventory_levels/update", level(ITEM, 0, at(0)))
    deliver("orders/create", order(1, [(VARIANT, 2)], at(1), product=PRODUCT))
    deliver("inventory_levels/update", level(ITEM, -2, at(1)))
    deliver("refunds/create", refund(71, 1, [(0, 1)], at(30), restock="no_restock"))
    assert open_cases(shop.id) == {gid("Order", 1): {line_gid(1): 2}}
    deliver("inventory_levels/update", level(ITEM, -2, at(31)))
    assert open_cases(shop.id) == {gid("Order", 1): {line_gid(1): 1}}


def test_untracked_and_custom_lines_never_open_cases(shop, deliver, known_variant):
    body = order(1, [(VARIANT, 1)], at(1), product=PRODUCT)
    body["line_items"][0]["variant_inventory_management"] = None
    deliver("inventory_levels/update", level(ITEM, -5, at(0)))
    deliver("orders/create", body)
    deliver("orders/create", order(2, [], at(2), product=PRODUCT))
    assert short_orders(shop.id) == {}


def test_an_event_storm_leaves_one_catalogue_job_per_product(shop, deliver, known_variant):
    for n in range(20):
        deliver("inventory_levels/update", level(ITEM, (n % 2) * 5, at(n)))
    jobs = [args for name, args in queued("default") if name == "jobs.catalogue.apply_product"]
    assert jobs == [(shop.id, gid("Product", PRODUCT))]


def test_the_ledger_forgets_orders_older_than_its_window(shop, deliver, known_variant):
    from jobs.catalogue import prune_ledger

    for topic, body in flash_sale_events(buyers=2):
        deliver(topic, body)
    assert prune_ledger() == 0
    assert prune_ledger(older_than_days=1) == 2
    assert db.session().scalars(select(LedgerOrder)).all() == []


def test_two_different_readings_within_one_second_are_settled_by_asking_shopify(shop, deliver, known_variant):
    deliver("inventory_levels/update", level(ITEM, 5, at(0)))
    queues.queue("default").empty()
    deliver("inventory_levels/update", level(ITEM, 5, at(0)))
    assert queued("default") == []
    deliver("inventory_levels/update", level(ITEM, 4, at(0)))
    assert ("jobs.catalogue.refresh_variant_stock", (shop.id, gid("ProductVariant", VARIANT))) in queued("default")
    deliver("inventory_levels/update", level(ITEM, 9, at(-1)))
    stock = db.session().scalars(select(VariantStock)).one()
    assert stock.available == 5  # which of 5 and 4 is newer nobody can tell: the level waits for Shopify's answer


def test_a_late_reading_from_the_same_second_does_not_tell_a_waiting_customer_stock_is_back(
        shop, deliver, known_variant):
    for topic, body in flash_sale_events(stock=1, buyers=3):
        deliver(topic, body)
    case = db.session().scalars(select(StockoutCase).where(StockoutCase.status == "open")).first()
    case.notified_at = db.utcnow()
    db.session().commit()
    stock = db.session().scalars(select(VariantStock)).one()
    newest = stock.inventory_updated_at
    deliver("inventory_levels/update", level(ITEM, stock.available + 1, newest))
    db.session().expire_all()
    assert db.session().scalars(select(VariantStock)).one().available == stock.available
    assert returned_jobs() == []


def test_stock_coming_back_starts_serving_waiting_orders_and_sign_ups(shop, deliver, known_variant):
    deliver("inventory_levels/update", level(ITEM, 0, at(0)))
    deliver("inventory_levels/update", level(ITEM, 3, at(10)))
    assert returned_jobs() == []  # nobody waits for it: no job
    db.session().add(BackInStockSubscription(shop_id=shop.id, variant_gid=gid("ProductVariant", VARIANT),
                                             email="fan@example.com", consent_at=at(5)))
    db.session().commit()
    deliver("inventory_levels/update", level(ITEM, 0, at(20)))
    deliver("inventory_levels/update", level(ITEM, 3, at(30)))
    deliver("inventory_levels/update", level(ITEM, 2, at(40)))
    assert returned_jobs() == [(shop.id, gid("ProductVariant", VARIANT), 3)]


def _one_told_customer_waiting(deliver) -> StockoutCase:
    for topic, body in flash_sale_events(stock=1, buyers=2):
        deliver(topic, body)
    case = db.session().scalars(select(StockoutCase)).one()
    case.notified_at = db.utcnow()
    db.session().commit()
    return case


def test_a_rise_on_a_variant_a_told_customer_waits_for_starts_serving_them(shop, deliver, known_variant):
    _one_told_customer_waiting(deliver)
    deliver("inventory_levels/update", level(ITEM, 4, at(600)))
    assert returned_jobs() == [(shop.id, gid("ProductVariant", VARIANT), 4)]


def test_a_rise_that_fell_again_before_its_job_ran_serves_nobody(shop, deliver, known_variant):
    case = _one_told_customer_waiting(deliver)
    deliver("inventory_levels/update", level(ITEM, 4, at(600)))
    deliver("inventory_levels/update", level(ITEM, -1, at(601)))
    [(shop_id, variant_gid, available)] = returned_jobs()
    assert back_in_stock.stock_returned(shop_id, variant_gid, available)["orders_served"] == []
    db.session().expire_all()
    assert db.session().get(StockoutCase, case.id).status == "open"


def returned_jobs() -> list[tuple]:
    return [args for name, args in queued("default") if name == "jobs.back_in_stock.stock_returned"]
