"""The payload parsers under arbitrary JSON and mutated real samples: a typed fact, or RejectedPayload — nothing else."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs import payloads
from jobs.events import parse_payload
from jobs.handling import RejectedPayload
from tests.fuzz.conftest import HOSTILE, json_values

PARSERS = {
    "orders-create.json": payloads.parse_order,
    "orders-paid.json": payloads.parse_order,
    "orders-updated.json": payloads.parse_order,
    "orders-cancelled.json": payloads.parse_order,
    "orders-edited.json": payloads.parse_order_edit,
    "refunds-create.json": payloads.parse_refund,
    "inventory_levels-update.json": payloads.parse_inventory_level,
    "variants-in_stock.json": payloads.parse_variant,
    "variants-out_of_stock.json": payloads.parse_variant,
    "products-update.json": payloads.parse_product,
}

# Values a sender might put where a field belongs: wrong types, edge numbers, odd times and ids.
EDGE_VALUES = ("", "0", "-1", "1e400", "NaN", "Infinity", "12.5.5", "9" * 5000, "gid://shopify/Order/",
               "gid://shopify/Order/abc", "gid://shopify/InventoryLevel/1?inventory_item_id=x",
               "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2026-02-30T00:00:00Z",
               "2026-11-25T10:00:00", "\x00", "\ud800", 0, -1, 2**63, -(2**63) - 1, 10**30, 1e308, -0.0, True,
               False, None, [], {}, [None], {"id": None})
field_values = st.one_of(json_values, st.sampled_from(EDGE_VALUES))


def _accepts_or_rejects(parser, payload) -> None:
    try:
        parser(payload)
    except RejectedPayload:
        pass


@pytest.fixture(scope="module")
def samples(shared_dir) -> dict:
    folder = shared_dir / "shopify" / "webhook-samples"
    return {name: json.loads((folder / name).read_text()) for name in PARSERS}


@HOSTILE
@given(payload=json_values, parser=st.sampled_from(sorted(set(PARSERS.values()), key=lambda p: p.__name__)))
def test_any_json_is_a_fact_or_rejected(payload, parser):
    _accepts_or_rejects(parser, payload)


def _paths(value, prefix=()):
    """Every path to a value inside a JSON document."""
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, prefix + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, prefix + (index,))


def _replaced(document, path, value):
    if not path:
        return value
    copy = dict(document) if isinstance(document, dict) else list(document)
    copy[path[0]] = _replaced(document[path[0]], path[1:], value)
    return copy


@HOSTILE
@given(data=st.data(), name=st.sampled_from(sorted(PARSERS)))
def test_a_real_sample_with_fields_replaced_is_a_fact_or_rejected(samples, data, name):
    document = samples[name]
    paths = list(_paths(document))
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(paths))
        document = _replaced(document, path, data.draw(field_values))
        paths = list(_paths(document))
    _accepts_or_rejects(PARSERS[name], document)


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_every_field_of_a_real_sample_set_to_every_edge_value_is_a_fact_or_rejected(samples, name):
    document = samples[name]
    for path in _paths(document):
        for value in EDGE_VALUES:
            _accepts_or_rejects(PARSERS[name], _replaced(document, path, value))


@HOSTILE
@given(raw=st.one_of(st.binary(max_size=512), st.integers(1, 100_000).map(lambda n: b"[" * n + b"]" * n),
                     st.integers(1, 100_000).map(lambda n: b'{"a":' * n + b"1" + b"}" * n),
                     st.just(b"9" * 5000), st.just(b'"\xff\xfe"'), st.just(b"\xef\xbb\xbf{}")))
def test_any_raw_body_is_an_object_or_rejected(raw):
    try:
        assert isinstance(parse_payload(raw), dict)
    except RejectedPayload:
        pass
