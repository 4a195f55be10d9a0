"""Webhook payloads to typed facts: Shopify's samples read exactly, malformed bodies refused."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from jobs import payloads
from jobs.handling import RejectedPayload
from tests.stockout.factories import sample


@pytest.fixture(autouse=True)
def _samples(shared_dir):
    return shared_dir


def test_inventory_level_sample_keys_on_the_exact_gid_not_the_rounded_number():
    fact = payloads.parse_inventory_level(sample("inventory_levels-update.json"))
    assert fact.inventory_item_gid == "gid://shopify/InventoryItem/271878346596884015"
    assert fact.location_gid == "gid://shopify/Location/24826418"
    assert fact.available is None
    assert fact.updated_at == datetime(2022, 1, 1, 0, 0, tzinfo=timezone.utc)


def test_variant_sample():
    fact = payloads.parse_variant(sample("variants-out_of_stock.json"))
    assert fact.variant_gid == "gid://shopify/ProductVariant/642667041472713922"
    assert (fact.inventory_policy, fact.inventory_quantity) == ("DENY", 0)
    assert fact.product_gid.startswith("gid://shopify/Product/")


def test_product_sample_gives_every_variant_its_product():
    fact = payloads.parse_product(sample("products-update.json"))
    assert fact.product_gid == "gid://shopify/Product/788032119674292922"
    assert fact.tags == ("example", "mens", "t-shirt")
    assert {v.product_gid for v in fact.variants} == {fact.product_gid}
    assert fact.variant_gids == ("gid://shopify/ProductVariant/757650484644203962",
                                 "gid://shopify/ProductVariant/642667041472713922")


def test_order_sample():
    fact = payloads.parse_order(sample("orders-create.json"))
    assert fact.order_gid == "gid://shopify/Order/820982911946154508"
    assert fact.customer_gid == "gid://shopify/Customer/115310627314723954"
    assert (fact.customer_name, fact.email, fact.currency) == ("John Smith", "jon@example.com", "USD")
    assert fact.total_price == Decimal("414.95")
    assert fact.cancelled_at is not None
    first = fact.lines[0]
    assert first.line_item_gid == "gid://shopify/LineItem/487817672276298554"
    assert (first.variant_gid, first.tracked, first.unit_price) == (None, False, Decimal("89.99"))


def test_refund_sample_takes_line_gids_from_the_nested_line_item():
    fact = payloads.parse_refund(sample("refunds-create.json"))
    assert fact.refund_gid == "gid://shopify/Refund/890088186047892319"
    assert fact.quantities()["gid://shopify/LineItem/487817672276298554"] == 1


def test_order_edit_sample():
    fact = payloads.parse_order_edit(sample("orders-edited.json"))
    assert fact.order_gid.startswith("gid://shopify/Order/")
    assert len(fact.removed_line_gids) == 1 and len(fact.added_line_gids) == 1


def _without(name, *path):
    body = sample(name)
    target = body
    for key in path[:-1]:
        target = target[key]
    target.pop(path[-1])
    return body


def _with(name, value, *path):
    body = sample(name)
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(
    ("parse", "body"),
    [
        (payloads.parse_inventory_level, lambda: []),
        (payloads.parse_inventory_level, lambda: _with("inventory_levels-update.json", "gid://shopify/Order/1",
                                               "admin_graphql_api_id")),
        (payloads.parse_inventory_level,
         lambda: _with("inventory_levels-update.json", "2021-12-31T19:00:00", "updated_at")),
        (payloads.parse_inventory_level, lambda: _with("inventory_levels-update.json", "5", "available")),
        (payloads.parse_variant, lambda: _without("variants-in_stock.json", "admin_graphql_api_id")
         | {"id": None}),
        (payloads.parse_order, lambda: _without("orders-create.json", "created_at")),
        (payloads.parse_order, lambda: _with("orders-create.json", "many", "line_items", 0, "quantity")),
        (payloads.parse_order, lambda: _with("orders-create.json", {"a": 1}, "line_items")),
        (payloads.parse_order, lambda: _with("orders-create.json", "12,50", "line_items", 0, "price")),
        (payloads.parse_refund, lambda: _without("refunds-create.json", "order_id")),
        (payloads.parse_product,
         lambda: _with("products-update.json", "gid://shopify/Product/", "admin_graphql_api_id")),
        (payloads.parse_order_edit, lambda: {"order_edit": {"line_items": {}}}),
    ],
)
def test_malformed_bodies_are_refused(parse, body):
    with pytest.raises(RejectedPayload):
        parse(body())
