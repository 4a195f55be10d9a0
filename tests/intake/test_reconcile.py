"""Reconciliation against the store emulator: an order whose webhooks never came still reaches the handlers."""

from __future__ import annotations

import re
import threading

import httpx
import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app import db
from app.models import Shop, WebhookEvent
from app.shopify.scopes import REQUIRED_SCOPES
from jobs import payloads
from jobs.events import drain_shop
from jobs.reconcile import reconcile_all, reconcile_shop
from tests.conftest import make_settings
from webhooks import synthetic

SHOP = "demo-apparel.myshopify.com"


class Store:
    """The emulator on a real socket, with the app registered under the test credentials."""

    def __init__(self, shared_dir):
        from emulator import create_app

        registration = {"client_id": "test-client-id", "client_secret": "test-client-secret",
                        "scopes": list(REQUIRED_SCOPES), "redirect_urls": ["http://127.0.0.1:5000/auth/callback"]}
        self.app = create_app({"SHOPIFY_SHARED_DIR": str(shared_dir), "APP": registration})
        self.app.extensions["emulator"].schema("2026-07")  # built once here, not inside a timed request
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.http = httpx.Client(base_url=f"{self.url}/emulator", timeout=10)

    def control(self, method: str, path: str, **json) -> dict:
        response = self.http.request(method, path, json=json)
        assert response.status_code == 200, response.text
        return response.json()

    def close(self) -> None:
        self.http.close()
        self.server.shutdown()
        self.app.extensions["emulator"].close()


@pytest.fixture(scope="module")
def store(shared_dir):
    live = Store(shared_dir)
    yield live
    live.close()


@pytest.fixture
def settings(migrated_database, redis_url, store):
    store.control("POST", "/reset")
    store.control("POST", "/seed")
    return make_settings(migrated_database, redis_url, shopify_api_base_url=store.url)


@pytest.fixture
def shop(app_context, store) -> Shop:
    from app.shopify.install import install_from_session_token

    store.control("POST", "/webhooks/rules", action="drop", topic="*", count=1000)
    return install_from_session_token(store.control("POST", "/session-token", shop=SHOP)["token"])


def place_order(store) -> dict:
    variant = next(v for v in store.app.extensions["emulator"].store.shop(SHOP).variants.values() if v.sku)
    return store.control("POST", f"/shops/{SHOP}/orders", lines=[{"sku": variant.sku, "quantity": 2}],
                         email="ada@example.com")


def events() -> list[WebhookEvent]:
    found = list(db.session().scalars(select(WebhookEvent).order_by(WebhookEvent.id)))
    db.session().commit()  # ends the read without expiring what was read
    return found


def test_an_order_whose_webhooks_were_lost_is_fed_to_the_order_handler(store, shop):
    rest = place_order(store)
    assert [d["status"] for d in store.control("GET", "/deliveries")["deliveries"]] == ["dropped"] * len(
        store.control("GET", "/deliveries")["deliveries"])

    counts = reconcile_shop(shop.id)
    assert counts["orders"] == 1
    order_events = [e for e in events() if e.topic == "orders/updated"]
    [event] = order_events
    assert event.event_id.startswith(f"reconcile:{rest['admin_graphql_api_id']}:")
    assert event.status == "pending" and event.triggered_at is not None

    event_pk = event.id
    drain_shop(shop.id)
    processed = db.session().get(WebhookEvent, event_pk)
    assert (processed.status, processed.error) == ("processed", None)


def test_the_synthetic_order_reads_as_the_webhook_would_have(store, shop):
    import json

    rest = place_order(store)
    reconcile_shop(shop.id)
    [event] = [e for e in events() if e.topic == "orders/updated"]
    rebuilt = payloads.parse_order(json.loads(event.raw_body))
    sent = payloads.parse_order(rest)
    assert rebuilt == sent


def test_a_second_pass_finds_nothing_new_and_moves_the_cursor(store, shop):
    shop_id = shop.id
    place_order(store)
    reconcile_shop(shop_id)
    first_cursor = db.session().get(Shop, shop_id).orders_reconciled_until
    assert first_cursor is not None
    recorded = len(events())
    assert reconcile_shop(shop_id)["orders"] == 0
    assert len(events()) == recorded
    assert db.session().get(Shop, shop_id).orders_reconciled_until >= first_cursor


def test_a_stock_change_without_webhooks_is_fed_to_the_variant_handler(store, shop):
    variant = next(v for v in store.app.extensions["emulator"].store.shop(SHOP).variants.values() if v.sku)
    store.control("POST", f"/shops/{SHOP}/inventory", sku=variant.sku, available=0)
    counts = reconcile_shop(shop.id)
    assert counts["variants"] == 1
    stock_events = [e for e in events() if e.topic.startswith("variants/")]
    assert any(e.event_id.startswith(f"reconcile:gid://shopify/ProductVariant/{variant.id}:") for e in stock_events)
    shop_id = shop.id
    drain_shop(shop_id)
    assert {e.status for e in events()} <= {"processed"}


def test_a_burst_longer_than_one_stretch_is_read_to_its_end_by_follow_up_jobs(store, shop, run_jobs, monkeypatch):
    from dataclasses import replace

    from jobs import reconcile

    monkeypatch.setitem(reconcile.LISTINGS, "orders", replace(reconcile.LISTINGS["orders"], page_size=2, pages_per_job=1))
    shop_id = shop.id
    placed = {place_order(store)["admin_graphql_api_id"] for _ in range(5)}
    assert reconcile_shop(shop_id)["orders"] == 2
    assert db.session().get(Shop, shop_id).orders_reconciled_until is None, "not read to the end yet"
    run_jobs(["low"])
    found = {re.match(r"reconcile:(gid://shopify/Order/\d+):", e.event_id)[1] for e in events()
             if e.topic == "orders/updated"}
    assert found == placed
    db.session().expire_all()
    assert db.session().get(Shop, shop_id).orders_reconciled_until is not None


def test_reconcile_all_queues_one_job_per_installed_shop(store, shop):
    from app import queues

    assert reconcile_all() == [shop.id]
    assert reconcile_all() == [shop.id]
    assert queues.queue("low").job_ids.count(f"reconcile-{shop.id}") == 1


def test_event_keys_and_ids():
    assert synthetic.event_key("gid://shopify/Order/1", "2026-11-25T10:00:00Z") == (
        "reconcile:gid://shopify/Order/1:2026-11-25T10:00:00Z")
    assert synthetic.legacy_id("gid://shopify/InventoryLevel/5?inventory_item_id=9") == 5
    assert synthetic.legacy_id(None) is None
