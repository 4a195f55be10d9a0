"""The drain takes a shop's events several to a transaction and keeps every guarantee of one at a time."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app import db, queues
from app.models import Shop, VariantStock, WebhookEvent
from app.stockout.effects import EVALUATE_JOB, Effects
from jobs import events
from jobs.event_steps import coalesced
from tests.intake.batch_handlers import BATCH_TABLE, REFUSING_TABLE
from tests.intake.conftest import calls, record
from tests.intake.handlers import TABLE
from tests.stockout.factories import at, gid, level


@pytest.fixture(autouse=True)
def roomy_batches(monkeypatch):
    """One batch per drain in these tests, however busy the machine is."""
    monkeypatch.setattr(events, "BATCH_SECONDS", 60.0)


def statuses() -> dict[str, tuple[str, int]]:
    session = db.session()
    found = {e.event_id: (e.status, e.attempts) for e in session.scalars(select(WebhookEvent))}
    session.commit()
    return found


def stored_level(item: int, available: int) -> bytes:
    return json.dumps({"inventory_item_id": item, "available": available}).encode()


def make_due(key: str) -> None:
    db.session().execute(update(WebhookEvent).where(WebhookEvent.event_id == key)
                         .values(next_attempt_at=db.utcnow() - timedelta(seconds=1)))
    db.session().commit()


def test_a_run_of_one_topic_goes_to_its_batch_form_and_other_topics_keep_their_place(shop_id):
    record("inventory_levels/update", stored_level(1, 5), event_id="a", triggered_at="2026-11-25T10:00:01Z")
    record("inventory_levels/update", stored_level(2, 6), event_id="b")
    record("orders/create", b"{}", event_id="c")
    record("inventory_levels/update", stored_level(3, 7), event_id="d")
    record("inventory_levels/update", stored_level(1, 8), event_id="e", triggered_at="2026-11-25T10:00:02Z")
    assert events.drain_shop(shop_id, BATCH_TABLE) == 5
    assert calls() == ["batch:a,b", "c", "batch:d,e", "after:batch", "after:processed", "after:batch"]
    assert statuses() == {key: ("processed", 1) for key in "abcde"}
    stocks = {s.variant_gid[-1]: s.available for s in db.session().scalars(select(VariantStock))}
    assert stocks == {"1": 8, "2": 6, "3": 7}


def test_a_failing_event_in_a_batch_fails_alone_and_is_retried_then_parked_as_before(shop_id):
    db.session().execute(update(Shop).values(name="broken"))
    db.session().commit()
    record("orders/create", b"{}", event_id="before")
    record("products/update", b'{"id": 1}', event_id="flaky")
    record("orders/create", b"{}", event_id="after")
    assert events.drain_shop(shop_id, TABLE) == 3
    assert calls() == ["before", "after", "after:processed", "after:processed"]
    assert statuses() == {"before": ("processed", 1), "flaky": ("pending", 1), "after": ("processed", 1)}
    flaky = db.session().scalars(select(WebhookEvent).where(WebhookEvent.event_id == "flaky")).one()
    assert flaky.error.startswith("RuntimeError: supplier feed is down")
    assert db.utcnow() < flaky.next_attempt_at <= db.utcnow() + timedelta(seconds=10)
    assert db.session().get(Shop, shop_id).contact_email == ""  # its own writes were rolled back
    db.session().commit()
    for attempt in range(2, 8):
        make_due("flaky")
        record("orders/create", b"{}", event_id=f"more-{attempt}")
        events.drain_shop(shop_id, TABLE)
        assert statuses()["flaky"] == ("pending" if attempt < 7 else "failed", attempt)
    assert all(status == ("processed", 1) for key, status in statuses().items() if key != "flaky")


def test_a_batch_form_that_raises_is_rolled_back_and_its_events_run_one_by_one(shop_id):
    record("inventory_levels/update", stored_level(1, 5), event_id="a")
    record("inventory_levels/update", b'{"available": 1}', event_id="bad")
    record("inventory_levels/update", stored_level(3, 7), event_id="c")
    assert events.drain_shop(shop_id, BATCH_TABLE) == 3
    assert calls() == ["batch:a,bad,c", "one:a", "one:bad", "one:c", "after:a", "after:c"]
    assert statuses() == {"a": ("processed", 1), "bad": ("rejected", 1), "c": ("processed", 1)}
    rejected = db.session().scalars(select(WebhookEvent).where(WebhookEvent.event_id == "bad")).one()
    assert rejected.error == "inventory level without inventory_item_id"
    assert sorted(s.variant_gid[-1] for s in db.session().scalars(select(VariantStock))) == ["1", "3"]


def test_a_batch_whose_commit_fails_is_rolled_back_and_each_event_runs_alone(shop_id):
    record("orders/create", b"{}", event_id="first")
    record("orders/updated", b"{}", event_id="refused")
    record("orders/create", b"{}", event_id="last")
    assert events.drain_shop(shop_id, REFUSING_TABLE) == 3
    handled = [c for c in calls() if not c.startswith("after:")]
    assert handled == ["first", "refused", "last", "first", "refused", "last"]  # the batch, then one at a time
    assert [c for c in calls() if c.startswith("after:")] == ["after:processed"] * 3  # only what was committed
    assert statuses() == {key: ("processed", 1) for key in ("first", "refused", "last")}


def test_unreadable_bodies_and_unknown_topics_in_a_batch_are_settled_without_their_handler(shop_id):
    record("inventory_levels/update", stored_level(1, 5), event_id="a")
    record("inventory_levels/update", b"{not json", event_id="garbled")
    record("inventory_levels/update", stored_level(2, 6), event_id="b")
    record("customers/redact", b"{}", event_id="elsewhere")
    assert events.drain_shop(shop_id, BATCH_TABLE) == 4
    assert calls() == ["batch:a,b", "after:batch"]
    assert statuses() == {"a": ("processed", 1), "garbled": ("rejected", 1), "b": ("processed", 1),
                          "elsewhere": ("ignored", 1)}


def _stocked_product(shop_id: int) -> None:
    session = db.session()
    for variant, item in ((101, 11), (102, 12)):
        session.add(VariantStock(
            shop_id=shop_id, variant_gid=gid("ProductVariant", variant), product_gid=gid("Product", 100),
            inventory_item_gid=gid("InventoryItem", item), levels={gid("Location", 7001): 10},
            levels_updated_at={gid("Location", 7001): at(0).isoformat()}, available=10,
            inventory_updated_at=at(0), tracked=True))
    session.commit()


def test_out_of_order_and_repeated_readings_in_one_batch_converge_and_ask_once_per_product(shop_id):
    _stocked_product(shop_id)
    newer, older, emptied = level(11, 0, at(20)), level(11, 9, at(10)), level(12, 0, at(30))
    record("inventory_levels/update", json.dumps(newer).encode(), event_id="newer")
    record("inventory_levels/update", json.dumps(older).encode(), event_id="older")
    record("inventory_levels/update", json.dumps(emptied).encode(), event_id="emptied")
    assert record("inventory_levels/update", json.dumps(emptied).encode(), event_id="emptied").status == "duplicate"
    record("inventory_levels/update", json.dumps(emptied).encode(), event_id="same-reading-again")
    assert events.drain_shop(shop_id) == 4
    assert set(statuses().values()) == {("processed", 1)}
    stocks = {s.variant_gid: s for s in db.session().scalars(select(VariantStock))}
    first, second = stocks[gid("ProductVariant", 101)], stocks[gid("ProductVariant", 102)]
    assert (first.available, first.inventory_updated_at) == (0, at(20))
    assert (second.available, second.inventory_updated_at) == (0, at(30))
    jobs = [(job.func_name, tuple(job.args)) for job in queues.queue("default").get_jobs()]
    assert jobs == [(EVALUATE_JOB, (shop_id, gid("Product", 100)))]  # no read-back: nothing was a tie


def test_the_follow_up_work_of_a_batch_is_started_once_per_product():
    first, second, other_shop = Effects(1), Effects(1), Effects(2)
    first.evaluate("gid://shopify/Product/1")
    second.evaluate("gid://shopify/Product/1")
    second.evaluate("gid://shopify/Product/2")
    second.read_item("gid://shopify/InventoryItem/9")
    other_shop.evaluate("gid://shopify/Product/1")
    plain = []
    kept = coalesced([first, plain.clear, second, other_shop])
    assert kept == [first, plain.clear, other_shop]
    assert first.products == ["gid://shopify/Product/1", "gid://shopify/Product/2"]
    assert first.items_to_read == ["gid://shopify/InventoryItem/9"]
