"""Draining a shop's events: once each, in order, retried with backoff, parked, replayed."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

from sqlalchemy import select, update

from app import db, queues
from app.models import Shop, VariantStock, WebhookEvent
from jobs.events import drain_shop, failed_events, process_event, replay_events, retry_delay, sweep
from tests.intake.conftest import DOMAIN, calls, make_shop, record
from tests.intake.handlers import TABLE
from webhooks.dispatch import drain_job_ids, state_key


def event(key: str) -> WebhookEvent:
    session = db.session()
    found = session.scalars(select(WebhookEvent).where(WebhookEvent.event_id == key)).one()
    session.commit()  # ends the read without expiring what was read
    return found


def make_due(key: str) -> None:
    db.session().execute(update(WebhookEvent).where(WebhookEvent.event_id == key)
                         .values(next_attempt_at=db.utcnow() - timedelta(seconds=1)))
    db.session().commit()


def level(item: int, available: int) -> bytes:
    return json.dumps({"inventory_item_id": item, "location_id": 1, "available": available}).encode()


def test_the_same_event_twice_is_processed_once_and_after_commit_work_sees_it_committed(shop_id, sample):
    body = sample("orders-create.json")
    assert record("orders/create", body, event_id="ev-1").status == "pending"
    assert record("orders/create", body, event_id="ev-1").status == "duplicate"
    assert drain_shop(shop_id, TABLE) == 1
    assert drain_shop(shop_id, TABLE) == 0
    assert calls() == ["ev-1", "after:processed"]
    processed = event("ev-1")
    assert (processed.status, processed.attempts, processed.error) == ("processed", 1, None)


def test_events_are_handled_in_arrival_order_and_an_older_one_never_overwrites_a_newer(shop_id):
    record("inventory_levels/update", level(7, 5), event_id="newer", triggered_at="2026-11-25T10:00:02Z")
    record("inventory_levels/update", level(7, 9), event_id="older", triggered_at="2026-11-25T10:00:01Z")
    record("orders/create", b"{}", event_id="third")
    assert drain_shop(shop_id, TABLE) == 3
    stock = db.session().scalars(select(VariantStock)).one()
    assert (stock.available, stock.inventory_updated_at.second) == (5, 2)
    assert [event(k).status for k in ("newer", "older", "third")] == ["processed"] * 3
    assert event("newer").processed_at <= event("older").processed_at <= event("third").processed_at


def test_a_64_bit_id_reaches_the_handler_exactly(shop_id):
    record("inventory_levels/update", b'{"inventory_item_id": 820982911946154508, "available": 1}', event_id="big")
    drain_shop(shop_id, TABLE)
    gid = db.session().scalars(select(VariantStock.variant_gid)).one()
    assert gid == "gid://shopify/InventoryItem/820982911946154508"


def test_malformed_bodies_are_rejected_with_the_reason_and_the_drain_goes_on(shop_id):
    record("orders/create", b"{not json", event_id="garbled")
    record("orders/create", b"[1, 2]", event_id="a-list")
    record("refunds/create", b'{"id": 1}', event_id="no-order")
    record("orders/create", b"{}", event_id="fine")
    assert drain_shop(shop_id, TABLE) == 4
    assert event("garbled").status == "rejected" and event("garbled").error.startswith("body is not JSON")
    assert (event("a-list").status, event("a-list").error) == ("rejected", "body is a JSON list, not an object")
    assert (event("no-order").status, event("no-order").error) == ("rejected", "refund without order_id")
    assert event("fine").status == "processed"


def test_a_topic_missing_from_the_table_is_ignored_when_drained(shop_id):
    record("products/update", b"{}", event_id="not-in-table")
    drain_shop(shop_id, {"orders/create": TABLE["orders/create"]})
    assert (event("not-in-table").status, event("not-in-table").error) == (
        "ignored", "no handler for topic 'products/update'")


def test_the_backoff_grows_then_parks():
    delays = [retry_delay(n) for n in range(1, 8)]
    assert delays[:-1] == sorted(delays[:-1]) and delays[0] == timedelta(seconds=10)
    assert delays[-1] is None


def test_a_failing_handler_is_retried_with_backoff_then_parked_then_replayed(app, shop_id):
    db.session().execute(update(Shop).values(name="broken"))
    db.session().commit()
    record("products/update", b'{"id": 1}', event_id="flaky")
    drain_shop(shop_id, TABLE)
    first = event("flaky")
    assert (first.status, first.attempts) == ("pending", 1)
    assert first.error.startswith("RuntimeError: supplier feed is down")
    assert db.utcnow() < first.next_attempt_at <= db.utcnow() + timedelta(seconds=10)
    assert drain_shop(shop_id, TABLE) == 0
    assert db.session().get(Shop, shop_id).contact_email == ""
    for _ in range(6):
        make_due("flaky")
        drain_shop(shop_id, TABLE)
    parked = event("flaky")
    assert (parked.status, parked.attempts) == ("failed", 7)
    assert [e.event_id for e in failed_events(shop_id)] == ["flaky"]
    assert sweep(min_age_seconds=0, table=TABLE) == []

    db.session().execute(update(Shop).values(name="mended"))
    db.session().commit()
    assert replay_events(shop_domain=DOMAIN, table=TABLE) == [("flaky", "processed")]
    assert event("flaky").status == "processed"
    assert failed_events(shop_id) == []
    assert db.session().get(Shop, shop_id).contact_email == "touched-by-flaky@example.com"


def test_a_replay_that_fails_again_parks_the_event_at_once(shop_id):
    db.session().execute(update(Shop).values(name="broken"))
    db.session().commit()
    record("products/update", b"{}", event_id="stubborn")
    db.session().execute(update(WebhookEvent).values(status="failed", attempts=7))
    db.session().commit()
    assert replay_events(event_id="stubborn", table=TABLE) == [("stubborn", "failed")]
    assert replay_events(topic="orders/create", table=TABLE) == []


def test_an_event_taken_by_another_drain_is_skipped(shop_id):
    pk = record("orders/create", b"{}", event_id="once").event_id and event("once").id
    assert process_event(pk, TABLE) == "processed"
    assert process_event(pk, TABLE) == "skipped"
    assert calls() == ["once", "after:processed"]


def test_two_drains_of_one_shop_at_once_process_each_event_exactly_once(app, shop_id):
    for n in range(30):
        record("orders/create", b"{}", event_id=f"ev-{n:02d}")

    def drain():
        with app.app_context():
            drain_shop(shop_id, TABLE)

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    handled = [c for c in calls() if not c.startswith("after:")]
    assert sorted(handled) == [f"ev-{n:02d}" for n in range(30)]
    assert {e.status for e in db.session().scalars(select(WebhookEvent))} == {"processed"}


def test_the_sweeper_enqueues_one_drain_per_shop_and_real_workers_process_everything(app, shop_id, run_jobs):
    other = make_shop("other-shop.myshopify.com")
    for n in range(3):
        record("orders/create", b"{}", event_id=f"a-{n}")
        record("orders/create", b"{}", event_id=f"b-{n}", domain="other-shop.myshopify.com")
    assert sorted(sweep(min_age_seconds=0, table=TABLE)) == sorted([shop_id, other])
    assert sweep(min_age_seconds=0, table=TABLE)  # still pending: asked again, but nothing more is queued
    assert queues.queue("webhooks").count == 2
    run_jobs(["webhooks"])
    assert queues.queue("webhooks").count == 0
    assert {e.status for e in db.session().scalars(select(WebhookEvent))} == {"processed"}
    assert not queues.redis().exists(state_key(shop_id), state_key(other))


def test_the_sweeper_leaves_fresh_events_to_their_own_drain(shop_id):
    record("orders/create", b"{}", event_id="fresh")
    assert sweep(table=TABLE) == []


def test_a_drain_out_of_time_hands_over_to_a_relay_job(shop_id):
    for n in range(3):
        record("orders/create", b"{}", event_id=f"ev-{n}")
    assert drain_shop(shop_id, TABLE, budget_seconds=0) == 1
    assert queues.queue("webhooks").job_ids == [drain_job_ids(shop_id)[0]]
    assert queues.redis().get(state_key(shop_id)) == b"queued"
