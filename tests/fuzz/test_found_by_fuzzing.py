"""Every input the fuzzers here found to crash something, kept as a fixed example of the answer it now gets."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from urllib.parse import urlencode

import jwt
import pytest
from sqlalchemy import select

from app import db
from app.admin.session_token import InvalidSessionToken, mint_session_token, shop_host, verify_session_token
from app.channels.sms_twilio import InvalidSignature as InvalidTwilioSignature, verify_inbound_signature
from app.models import BackInStockSubscription
from app.storefront.signature import ProxySignatureError, sign_proxy_query, verify_proxy_query
from app.storefront.signups import SignUpRefused, read_sign_up
from jobs import payloads
from jobs.events import parse_payload
from jobs.handling import RejectedPayload
from tests.fuzz.conftest import SHOP_A

SECRET = "test-client-secret"


@pytest.mark.parametrize("parse, payload", [
    (parse_payload, b"[" * 5000 + b"]" * 5000),  # RecursionError
    (payloads.parse_order, {"admin_graphql_api_id": "gid://shopify/Order/1",
                            "created_at": "0001-01-01T00:00:00+05:00"}),  # OverflowError
    (payloads.parse_refund, {"id": 1, "order_id": "9" * 5000}),  # ValueError: more than 4300 digits
    (payloads.parse_refund, {"id": 1, "order_id": "²"}),  # ValueError: a digit int() does not read
    (payloads.parse_refund, {"id": 1, "order_id": 2**63}),  # no Shopify id, and no database column holds it
    (payloads.parse_inventory_level, {"admin_graphql_api_id": "gid://shom_id=1]4015", "available": None,
                                      "updated_at": "2021-12-31T19:00:00-05:00"}),  # ValueError: Invalid IPv6 URL
])
def test_malformed_payloads_are_rejected(parse, payload):
    with pytest.raises(RejectedPayload):
        parse(payload)


def _proxy_query(timestamp: str, signature: str | None = None) -> list[tuple[str, str]]:
    pairs = [("shop", SHOP_A), ("path_prefix", "/apps/stockout"), ("timestamp", timestamp)]
    return pairs + [("signature", signature or sign_proxy_query(pairs, SECRET))]


@pytest.mark.parametrize("pairs", [
    _proxy_query("9" * 400),  # OverflowError comparing with the float clock
    _proxy_query(str(int(time.time())), "\x80"),  # TypeError: compare_digest of non-ASCII text
])
def test_odd_proxy_queries_are_refused(pairs):
    with pytest.raises(ProxySignatureError):
        verify_proxy_query(pairs, [SECRET], time.time())


def test_a_sign_up_field_of_the_wrong_json_type_is_refused_and_a_numeric_id_is_read(app_context, two_shops):
    with pytest.raises(SignUpRefused):
        read_sign_up({"variant_id": True, "email": "ada@example.com"}, two_shops.a, None)  # AttributeError
    with pytest.raises(SignUpRefused):
        read_sign_up({"variant_id": "1", "email": ["ada@example.com"]}, two_shops.a, None)
    assert read_sign_up({"variant_id": 123, "email": "ada@example.com"}, two_shops.a, None).variant_gid \
        == "gid://shopify/ProductVariant/123"


def test_a_forwarded_for_that_is_no_address_is_not_stored_as_the_consent_ip(client, two_shops):
    pairs = _proxy_query(str(int(time.time())))
    response = client.post("/proxy/back-in-stock?" + urlencode(pairs), json={"variant_id": "1", "email": "a@b.example"},
                           headers={"X-Forwarded-For": "x" * 100})  # too long for its column: a 500
    assert response.status_code == 201
    assert db.session().scalar(select(BackInStockSubscription.consent_ip)) == "127.0.0.1"


@pytest.mark.parametrize("claim, value", [("exp", 10**20), ("exp", float("inf")), ("nbf", float("-inf")),
                                          ("iss", []), ("dest", "https://[x]")])
def test_session_tokens_with_odd_claims_are_refused(claim, value):
    now = int(time.time())
    claims = {"iss": f"https://{SHOP_A}/admin", "dest": f"https://{SHOP_A}", "aud": "test-client-id",
              "exp": now + 60, "nbf": now, claim: value}
    token = jwt.api_jws.encode(json.dumps(claims).encode(), SECRET, algorithm="HS256")
    with pytest.raises(InvalidSessionToken):
        verify_session_token(token, client_id="test-client-id", secrets=(SECRET,))


def test_odd_shop_parameters_and_huge_ids_in_admin_urls_are_answered(client, two_shops):
    assert shop_host("[x]") is None and shop_host(f"{SHOP_A}:99999") is None
    assert client.get("/app/session-token", query_string={"shop": "[x]"}).status_code == 200
    token = mint_session_token(SHOP_A, client_id="test-client-id", secret=SECRET, now=db.utcnow(),
                               lifetime=timedelta(minutes=5))
    huge = 2**63  # integer out of range in PostgreSQL
    page = client.get(f"/app/cases/{huge}", query_string={"shop": SHOP_A, "id_token": token})
    fetch = client.post(f"/app/api/cases/{huge}/close", json={}, headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == fetch.status_code == 404


def test_a_non_ascii_twilio_signature_is_refused():
    with pytest.raises(InvalidTwilioSignature):
        verify_inbound_signature("https://example.com/sms/inbound", {"Body": "STOP"}, "\x80", "token")
