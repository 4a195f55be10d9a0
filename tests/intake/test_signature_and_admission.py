"""The pure pieces of the intake: the signature check, who gets recorded, headers read."""

from datetime import datetime, timezone

import pytest

from webhooks.recording import Envelope, admit, event_key, parse_triggered_at
from webhooks.signature import InvalidSignature, sign, verify_signature

BODY = b'{"id":820982911946154508,"note":"a\\/b \\u0026 c"}'


def test_the_signature_of_the_raw_bytes_under_the_current_secret_passes():
    verify_signature(BODY, sign(BODY, "new"), ("new", "old"))


def test_the_previous_secret_still_passes_during_a_rotation():
    verify_signature(BODY, sign(BODY, "old"), ("new", "old"))


@pytest.mark.parametrize("header", [None, "", "not base64!", sign(BODY, "someone-else"), sign(BODY + b" ", "new")])
def test_anything_else_raises_one_typed_error(header):
    with pytest.raises(InvalidSignature):
        verify_signature(BODY, header, ("new", "old"))


def test_a_reserialised_body_does_not_pass():
    import json

    with pytest.raises(InvalidSignature):
        verify_signature(json.dumps(json.loads(BODY)).encode(), sign(BODY, "new"), ("new",))


@pytest.mark.parametrize(
    "topic, installed, has_key, expected",
    [
        ("orders/create", None, True, "dropped"),
        ("shop/redact", None, True, "dropped"),
        ("orders/create", False, True, "dropped"),
        ("shop/redact", False, True, "pending"),
        ("customers/redact", False, True, "pending"),
        ("customers/data_request", False, True, "pending"),
        ("app/uninstalled", False, True, "pending"),
        ("orders/create", True, True, "pending"),
        ("collections/create", True, True, "ignored"),
        ("orders/create", True, False, "rejected"),
    ],
)
def test_admission(topic, installed, has_key, expected):
    assert admit(topic, installed, has_key).status == expected


def test_an_ignored_topic_says_why():
    assert admit("collections/create", True, True).reason == "no handler for topic 'collections/create'"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-11-25T10:00:00.123456789Z", datetime(2026, 11, 25, 10, 0, 0, 123456, tzinfo=timezone.utc)),
        ("2026-11-25T10:00:00Z", datetime(2026, 11, 25, 10, tzinfo=timezone.utc)),
        ("2026-11-25T18:00:00.5+08:00", datetime(2026, 11, 25, 10, 0, 0, 500000, tzinfo=timezone.utc)),
        ("2026-13-45T10:00:00Z", None),
        ("yesterday", None),
        (None, None),
    ],
)
def test_triggered_at(value, expected):
    assert parse_triggered_at(value) == expected


def test_headers_are_read_in_either_naming():
    classic = Envelope.from_headers({"X-Shopify-Topic": "orders/paid", "X-Shopify-Shop-Domain": "A.myshopify.com",
                                     "X-Shopify-Event-Id": "e1"})
    events = Envelope.from_headers({"Shopify-Topic": "orders/paid", "Shopify-Shop-Domain": "a.myshopify.com",
                                    "Shopify-Event-Id": "e1"})
    assert classic == events
    assert classic.shop_domain == "a.myshopify.com"


def test_the_event_key_falls_back_to_the_webhook_id_then_to_a_digest():
    base = dict(topic="orders/paid", shop_domain="a", api_version=None, triggered_at=None)
    assert event_key(Envelope(event_id="e1", webhook_id="w1", **base), BODY) == "e1"
    assert event_key(Envelope(event_id=None, webhook_id="w1", **base), BODY) == "webhook:w1"
    digest = event_key(Envelope(event_id=None, webhook_id=None, **base), BODY)
    assert digest.startswith("body:") and digest == event_key(Envelope(event_id=None, webhook_id=None, **base), BODY)
    assert len(event_key(Envelope(event_id="x" * 300, webhook_id=None, **base), BODY)) <= 255
