"""POST /webhooks under hostile input: every bad signature gets 401 and stores nothing; signed garbage never 5xx."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app import db
from app.models import StockoutCase, WebhookEvent
from tests.fuzz.conftest import HOSTILE, count, header_text, json_values
from tests.intake.conftest import DOMAIN, SECRET, make_shop, webhook_headers
from webhooks.recording import Envelope, event_key
from webhooks.signature import sign
from webhooks.topics import TOPICS

KNOWN_TOPICS = sorted(TOPICS)
topics = st.one_of(st.sampled_from(KNOWN_TOPICS), header_text, st.just(""))
content_types = st.one_of(st.sampled_from(["application/json", "text/plain", "application/x-www-form-urlencoded",
                                           "multipart/form-data; boundary=x", "application/xml", ""]), header_text)
bodies = st.one_of(
    st.binary(max_size=2048),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.integers(1, 5000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.integers(1, 200_000).map(lambda depth: b'{"a":' * depth),
    st.just(b'{"id": ' + b"9" * 5000 + b"}"),
)


def post_raw(client, body: bytes, headers: dict):
    """POST these exact bytes whatever the content type (the test client would re-encode a form)."""
    return client.post("/webhooks", input_stream=io.BytesIO(body), headers=headers)


def _digest(body: bytes, secret: str) -> bytes:
    return hmac.new(secret.encode(), body, hashlib.sha256).digest()


@st.composite
def bad_signatures(draw, body: bytes) -> str | None:
    """A signature header Shopify never sent for this body with our secret (None: the header is absent)."""
    good = _digest(body, SECRET)
    flipped = bytearray(good)
    flipped[draw(st.integers(0, 31))] ^= draw(st.integers(1, 255))
    return draw(st.one_of(
        st.none(),
        st.just(""),
        header_text.filter(lambda text: base64.b64decode(text.strip(), validate=False) != good
                           if _is_base64(text) else True),
        st.just(base64.b64encode(bytes(flipped)).decode()),
        st.just(base64.b64encode(good[:draw(st.integers(0, 31))]).decode()),
        st.just(base64.b64encode(good).decode() + draw(st.sampled_from(["A", "AA==", "=", "!", "\xa0x"]))),
        st.just(good.hex()),
        st.just(sign(body, "someone-else")),
        st.just(sign(body + b" ", SECRET)),
        st.just(sign(body[:-1], SECRET)) if body else st.just(sign(b"x", SECRET)),
        st.binary(min_size=32, max_size=32).filter(lambda digest: digest != good)
        .map(lambda digest: base64.b64encode(digest).decode()),
        st.integers(10_000, 200_000).map(lambda size: "A" * size),
    ))


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text.strip(), validate=True)
    except ValueError:
        return False
    return True


@pytest.fixture
def installed(app_context) -> int:
    return make_shop()


@HOSTILE
@given(data=st.data(), body=bodies, topic=topics, content_type=content_types,
       header_name=st.sampled_from(["X-Shopify-Hmac-Sha256", "Shopify-Hmac-Sha256", "X-Shopify-Hmac-SHA256"]))
def test_every_bad_signature_gets_401_and_nothing_is_stored(client, installed, data, body, topic, content_type,
                                                            header_name):
    signature = data.draw(bad_signatures(body))
    headers = {**webhook_headers("orders/create", body), "X-Shopify-Topic": topic, "Content-Type": content_type}
    del headers["X-Shopify-Hmac-Sha256"]
    if signature is not None:
        headers[header_name] = signature
    response = post_raw(client, body, headers)
    assert response.status_code == 401
    assert count(WebhookEvent) == 0


def test_a_correct_signature_under_another_header_name_or_the_wrong_secret_gets_401(client, installed):
    body = b'{"id": 1}'
    for name, value in [("X-Shopify-Hmac-Sha1", sign(body, SECRET)), ("X-Hmac-Sha256", sign(body, SECRET)),
                        ("X-Shopify-Hmac-Sha256", sign(body, "test-client-id"))]:
        headers = {**webhook_headers("orders/create", body)}
        del headers["X-Shopify-Hmac-Sha256"]
        assert client.post("/webhooks", data=body, headers={**headers, name: value}).status_code == 401
    assert count(WebhookEvent) == 0


shop_domains = st.one_of(st.just(DOMAIN), st.just("uninstalled.myshopify.com"), st.just("unknown.myshopify.com"),
                         header_text, st.just(DOMAIN.upper() + "  "))
optional_ids = st.one_of(st.none(), st.just(""), st.builds(lambda: str(uuid.uuid4())), header_text,
                         st.integers(300, 20_000).map(lambda size: "e" * size))


@HOSTILE
@given(body=bodies, topic=topics, content_type=content_types, domain=shop_domains, event_id=optional_ids,
       webhook_id=optional_ids, api_version=header_text, triggered_at=header_text)
def test_signed_hostile_deliveries_never_get_a_5xx_and_are_kept_only_as_the_rules_say(
        client, installed, body, topic, content_type, domain, event_id, webhook_id, api_version, triggered_at):
    headers = {**webhook_headers(topic, body, domain=domain), "Content-Type": content_type,
               "X-Shopify-API-Version": api_version, "X-Shopify-Triggered-At": triggered_at}
    for name, value in (("X-Shopify-Event-Id", event_id), ("X-Shopify-Webhook-Id", webhook_id)):
        if value is None:
            del headers[name]
        else:
            headers[name] = value
    envelope = Envelope.from_headers(headers)
    key = event_key(envelope, body)
    before, earlier = count(WebhookEvent), _stored(key)
    response = post_raw(client, body, headers)
    assert response.status_code == 200
    stored = _stored(key)
    if envelope.shop_domain != DOMAIN or earlier is not None:
        # Not for an installed shop, or a delivery of an event already recorded: nothing new is kept.
        assert count(WebhookEvent) == before and stored == earlier
        return
    _, shop_id, status, raw_body = stored
    assert shop_id == installed and raw_body == body
    if envelope.topic not in TOPICS:
        assert status == "ignored"
    elif not (envelope.event_id or envelope.webhook_id):
        assert status == "rejected"
    else:
        assert status == "pending"


def _stored(key: str) -> tuple | None:
    db.session().expire_all()
    row = db.session().scalar(select(WebhookEvent).where(WebhookEvent.event_id == key))
    return None if row is None else (row.id, row.shop_id, row.status, row.raw_body)


def test_an_uninstalled_shops_deliveries_are_dropped(client, app_context):
    make_shop("uninstalled.myshopify.com", uninstalled=True)
    body = b'{"id": 1}'
    response = client.post("/webhooks", data=body,
                           headers=webhook_headers("orders/create", body, domain="uninstalled.myshopify.com"))
    assert response.status_code == 200 and count(WebhookEvent) == 0


def test_a_body_over_the_limit_gets_413_whatever_its_signature(client, installed, settings):
    body = b"{" + b" " * settings.webhook_max_body_bytes + b"}"
    for headers in (webhook_headers("orders/create", body), webhook_headers("orders/create", b"{}")):
        assert post_raw(client, body, headers).status_code == 413
    assert count(WebhookEvent) == 0


def test_huge_headers_are_cut_to_their_columns_not_fatal(client, installed):
    body = b'{"id": 5}'
    headers = {**webhook_headers("orders/create", body), "X-Shopify-Event-Id": "e" * 100_000,
               "X-Shopify-Webhook-Id": "w" * 100_000, "X-Shopify-API-Version": "v" * 100_000,
               "X-Shopify-Triggered-At": "9" * 100_000, "X-Shopify-Topic": "orders/create" + " " * 100_000,
               "X-Anything-Else": "x" * 1_000_000}
    assert client.post("/webhooks", data=body, headers=headers).status_code == 200
    [stored] = db.session().scalars(select(WebhookEvent)).all()
    assert len(stored.event_id) <= 255 and len(stored.webhook_id) == 255 and len(stored.api_version) == 16


# Malformed bodies of handled topics, signed and recorded: the drain must reject them, never act on them.
MALFORMED_ORDERS = st.one_of(
    st.binary(max_size=256).filter(lambda raw: not _json_object(raw)),
    json_values.filter(lambda value: not isinstance(value, dict)).map(lambda value: json.dumps(value).encode()),
    st.dictionaries(st.sampled_from(["name", "email", "line_items", "customer", "created_at", "total_price"]),
                    json_values, max_size=6).map(lambda value: json.dumps(value).encode()),
    st.builds(lambda gid, when: json.dumps({"admin_graphql_api_id": gid, "id": gid, "created_at": when,
                                            "line_items": [{"quantity": "many"}]}).encode(),
              st.text(max_size=30), st.text(max_size=30)),
    st.integers(1, 5000).map(lambda depth: b"[" * depth + b"]" * depth),
    st.just(b'{"admin_graphql_api_id": "gid://shopify/Order/1", "created_at": "0001-01-01T00:00:00+05:00"}'),
)


def _json_object(raw: bytes) -> bool:
    try:
        return isinstance(json.loads(raw), dict)
    except (ValueError, RecursionError):
        return False


@pytest.mark.fuzz  # a worker run per example: the longest property here, run once (PostgreSQL)
@HOSTILE
@given(body=MALFORMED_ORDERS, topic=st.sampled_from(["orders/create", "orders/paid", "orders/updated",
                                                    "refunds/create", "inventory_levels/update",
                                                    "variants/out_of_stock", "products/update", "orders/edited"]))
def test_malformed_bodies_of_handled_topics_are_rejected_by_the_drain(client, installed, run_jobs, body, topic):
    event_id = str(uuid.uuid4())
    response = client.post("/webhooks", data=body, headers=webhook_headers(topic, body, event_id=event_id))
    assert response.status_code == 200
    run_jobs(["webhooks"])
    db.session().expire_all()
    stored = db.session().scalar(select(WebhookEvent).where(WebhookEvent.event_id == event_id))
    assert (stored.status, stored.attempts) == ("rejected", 1), stored.error
    assert count(StockoutCase) == 0
