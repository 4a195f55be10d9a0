"""The Admin GraphQL client against the emulator: pacing, waiting out throttles, retries, typed errors."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from app import queues
from app.shopify import documents
from app.shopify.client import AdminClient, client_for
from app.shopify.errors import AccessDenied, GraphQLErrors, ShopifyUnavailable, UserErrors
from app.shopify.http import EmulatorTransport
from app.shopify.throttle import Cost, Pacer
from tests.shopify.conftest import SHOP

FAST_RETRIES = (0.01, 0.02, 0.04)


def fast_client(app, shop, settings=None) -> AdminClient:
    settings = settings or app.config["SETTINGS"]
    return AdminClient(shop.id, shop.domain, settings, Pacer(queues.redis(), shop.domain), retry_delays=FAST_RETRIES)


def fault(emulator, kind: str, count: int) -> None:
    emulator.control("POST", f"/shops/{SHOP}/faults", kind=kind, count=count)


def test_the_transport_sends_shop_urls_to_the_emulator_naming_the_shop():
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    transport = EmulatorTransport("http://127.0.0.1:9/base", inner=httpx.MockTransport(answer))
    with httpx.Client(transport=transport) as http:
        http.post("https://demo.myshopify.com/admin/api/2026-07/graphql.json?x=1", json={"a": 1})
        http.get("https://example.com/elsewhere")

    assert str(seen[0].url) == "http://127.0.0.1:9/base/admin/api/2026-07/graphql.json?x=1"
    assert seen[0].headers["X-Shopify-Shop-Domain"] == "demo.myshopify.com"
    assert seen[0].headers["Host"] == "127.0.0.1:9" and seen[0].read() == b'{"a":1}'
    assert str(seen[1].url) == "https://example.com/elsewhere" and "X-Shopify-Shop-Domain" not in seen[1].headers


def test_the_ledger_waits_by_shopifys_figures_and_queues_callers(app_context):
    pacer = Pacer(queues.redis(), "ledger.myshopify.com")
    assert pacer.expected_cost("Anything") == 50 and pacer.reserve(50) == 0
    status = {"maximumAvailable": 100.0, "currentlyAvailable": 5.0, "restoreRate": 10.0}
    pacer.settle("Anything", 50, Cost.from_extensions({"cost": {"requestedQueryCost": 20, "actualQueryCost": 8,
                                                                "throttleStatus": status}}))
    assert pacer.expected_cost("Anything") == 20
    # 5 available; 20 wanted plus a margin of a quarter second of refill (2.5): 1.75 s at 10 a second.
    assert 1.6 < pacer.reserve(20) <= 1.75
    assert 3.6 < pacer.reserve(20) <= 3.75  # queued behind the first reservation


def test_a_query_returns_its_data(installed):
    data = client_for(installed).graphql(documents.SHOP_FACTS)
    assert data["shop"]["myshopifyDomain"] == SHOP and data["shopLocales"]


def test_a_throttled_response_is_waited_out(installed, emulator):
    fault(emulator, "throttled", 1)

    data = client_for(installed).graphql(documents.SHOP_FACTS)

    assert data["shop"]["myshopifyDomain"] == SHOP
    counters = emulator.counters()
    assert counters["throttled"] == 1 and counters["requests"] == 2


def test_http_429_waits_for_retry_after(installed, emulator, app):
    fault(emulator, "http_429", 1)
    started = time.monotonic()

    fast_client(app, installed).graphql(documents.SHOP_FACTS)

    assert time.monotonic() - started >= 1.0
    assert emulator.counters()["requests"] == 2


def test_5xx_is_retried_with_backoff_then_given_up_as_unavailable(installed, emulator, app):
    fault(emulator, "http_503", 2)
    assert fast_client(app, installed).graphql(documents.SHOP_FACTS)["shop"]
    fault(emulator, "http_500", 10)

    with pytest.raises(ShopifyUnavailable, match="HTTP 500 after 4 attempts"):
        fast_client(app, installed).graphql(documents.SHOP_FACTS)


def test_network_errors_are_retried_then_given_up_as_unavailable(installed, app):
    nowhere = app.config["SETTINGS"].replace(shopify_api_base_url="http://127.0.0.1:9")
    with pytest.raises(ShopifyUnavailable, match="network error"):
        fast_client(app, installed, nowhere).graphql(documents.SHOP_FACTS)


def test_user_errors_are_raised_naming_the_fields(installed):
    with pytest.raises(UserErrors) as refused:
        client_for(installed).graphql(documents.PRODUCT_UPDATE, product={"id": "gid://shopify/Product/1"})
    assert refused.value.fields == ["id"] and refused.value.mutation == "productUpdate"
    assert "id: Product does not exist" in str(refused.value)


def test_a_missing_scope_is_access_denied(installed, emulator, app):
    from app.shopify import tokens
    from app.shopify.oauth import TokenGrant

    narrow = emulator.control("POST", f"/shops/{SHOP}/install", scopes=["read_products"], expiring=False)
    grant = TokenGrant(narrow["access_token"], frozenset({"read_products"}), None, None, None)
    tokens.store_grant(installed, grant)
    from app import db

    db.session().commit()
    with pytest.raises(AccessDenied, match="read_locations"):
        client_for(installed).graphql(documents.SHOP_LOCATIONS)


def test_bad_documents_are_refused_before_sending(installed):
    client = client_for(installed)
    with pytest.raises(ValueError, match="named query or mutation"):
        client.graphql("{ shop { name } }")
    with pytest.raises(ValueError, match="idempotencyKey"):
        client.graphql(documents.REFUND_CREATE, input={"orderId": "gid://shopify/Order/1"})
    with pytest.raises(GraphQLErrors):
        client.graphql("query Broken { shop { noSuchField } }")


def test_a_bulk_run_from_several_workers_is_paced_by_cost_without_throttling(installed, emulator, app):
    """The share of the allowed rate used is a benchmark figure (bench/catalogue.py), not asserted here."""
    rate, maximum, per_worker, workers = 400.0, 80.0, 16, 6
    # One call first: the emulator builds its schema, the ledger learns the operation's cost.
    client_for(installed).graphql(documents.PRODUCTS_UPDATED_SINCE, query="status:active", first=10)
    emulator.control("POST", f"/shops/{SHOP}/throttle", maximumAvailable=maximum, restoreRate=rate)
    done, failures = [], []

    def worker():
        with app.app_context(), client_for(installed.id) as client:
            for _ in range(per_worker):
                try:
                    client.graphql(documents.PRODUCTS_UPDATED_SINCE, query="status:active", first=10)
                    done.append(time.monotonic())
                except Exception as exc:  # surfaced by the assertion below
                    failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert emulator.counters().get("throttled", 0) <= per_worker * workers // 100
    assert len(done) == per_worker * workers
