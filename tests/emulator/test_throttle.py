"""Calculated query cost and the per-shop leaky bucket."""
import pytest
from tests.emulator.emu_helpers import SHOP, Admin, data_of, make_app
from graphql import parse
from graphql.execution.values import get_variable_values

from emulator.clock import FakeClock
from emulator.costs import Bucket, query_cost

PRODUCTS = "{ products(first: 10) { edges { node { id title variants(first: 5) { nodes { id sku } } } } } }"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def small(shared_dir, clock):
    """A shop whose bucket holds 50 points and refills 10 per second on a clock the test moves."""
    app = make_app(shared_dir, CLOCK=clock)
    client = app.test_client()
    client.post("/emulator/seed", json={})
    token = client.post(f"/emulator/shops/{SHOP}/install", json={}).json["access_token"]
    client.post(f"/emulator/shops/{SHOP}/throttle", json={"maximumAvailable": 50, "restoreRate": 10})
    yield client, Admin(client, token)
    app.extensions["emulator"].close()


def _cost(schema, query: str, variables=None, data=None) -> int:
    operation = parse(query).definitions[0]
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
    return query_cost(schema, operation, {}, coerced, data)


def test_requested_cost_prices_connections_by_first(emulator_app):
    schema = emulator_app.extensions["emulator"].schema("2026-07")
    assert _cost(schema, "{ shop { name } }") == 1
    assert _cost(schema, "{ shop { name primaryDomain { host } } }") == 2
    # products: 2 + 10 × (node 1 + variants (2 + 5 × 1))
    assert _cost(schema, PRODUCTS) == 2 + 10 * (1 + 2 + 5 * 1)
    assert _cost(schema, "query($n: Int) { products(first: $n) { nodes { id } } }", {"n": 3}) == 2 + 3 * 1
    assert _cost(schema, 'mutation { tagsAdd(id: "gid://shopify/Product/1", tags: ["a"]) { userErrors { field } } }') \
        == 10 + 1


def test_actual_cost_counts_what_came_back(emulator_app):
    schema = emulator_app.extensions["emulator"].schema("2026-07")
    data = {"products": {"edges": [{"node": {"id": "1", "title": "t", "variants": {"nodes": [{"id": "v"}]}}}]}}
    assert _cost(schema, PRODUCTS, data=data) == 2 + 1 * (1 + 2 + 1 * 1)


def test_bucket_drains_and_refills(clock):
    bucket = Bucket(100.0, 10.0, clock)
    assert bucket.take(80) and not bucket.take(30)
    clock.advance(2)
    assert bucket.take(30)
    bucket.refund(5)
    assert bucket.status()["currentlyAvailable"] == 15.0


def test_small_bucket_throttles_then_recovers(small, clock):
    client, admin = small
    first = admin.graphql("{ products(first: 40) { nodes { id } } }")
    assert first["extensions"]["cost"]["requestedQueryCost"] == 42
    assert first["extensions"]["cost"]["actualQueryCost"] == 34
    throttled = admin.graphql("{ products(first: 40) { nodes { id } } }")
    assert throttled["errors"] == [{"message": "Throttled", "extensions": {
        "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}]
    assert throttled["extensions"]["cost"] == {
        "requestedQueryCost": 42, "actualQueryCost": None,
        "throttleStatus": {"maximumAvailable": 50.0, "currentlyAvailable": 16.0, "restoreRate": 10.0}}
    clock.advance(3)
    again = admin.graphql("{ products(first: 40) { nodes { id } } }")
    assert len(data_of(again)["products"]["nodes"]) == 32
    stats = client.get(f"/emulator/shops/{SHOP}/stats").json["counters"]
    assert stats["throttled"] == 1 and stats["requests"] == 3


def test_query_over_the_single_query_limit(small):
    _, admin = small
    error = admin.graphql("{ products(first: 60) { nodes { id } } }")["errors"][0]
    assert error["extensions"] == {"code": "MAX_COST_EXCEEDED", "cost": 62, "maxCost": 50}


def test_injected_faults(small, clock):
    client, admin = small
    client.post(f"/emulator/shops/{SHOP}/faults", json={"kind": "http_503", "count": 2})
    assert [admin.post("{ shop { name } }").status_code for _ in range(3)] == [503, 503, 200]
    client.post(f"/emulator/shops/{SHOP}/faults", json={"kind": "throttled", "seconds": 5})
    assert admin.graphql("{ shop { name } }")["errors"][0]["extensions"]["code"] == "THROTTLED"
    clock.advance(6)
    assert data_of(admin.graphql("{ shop { name } }"))["shop"]["name"]
    client.post(f"/emulator/shops/{SHOP}/faults", json={"kind": "http_429", "count": 1})
    limited = admin.post("{ shop { name } }")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "1.0"
