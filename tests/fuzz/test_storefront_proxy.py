"""The app proxy under hostile input: forged or stale signatures get 401 and store nothing; signed garbage never 5xx."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models import BackInStockSubscription
from app.storefront.signature import sign_proxy_query
from tests.fuzz.conftest import HOSTILE, SHOP_A, count, header_text, json_values

SECRET = "test-client-secret"
query_text = st.text(max_size=40)
extra_pairs = st.lists(st.tuples(st.sampled_from(["extra", "path_prefix", "logged_in_customer_id", "x", "signature",
                                                  "shop", "timestamp"]), query_text), max_size=4)


def _base(timestamp: str | None = None, shop: str = SHOP_A) -> list[tuple[str, str]]:
    return [("shop", shop), ("logged_in_customer_id", ""), ("path_prefix", "/apps/stockout"),
            ("timestamp", timestamp or str(int(time.time())))]


def _url(pairs: list[tuple[str, str]]) -> str:
    return "/proxy/back-in-stock?" + urlencode(pairs)


@st.composite
def forged_queries(draw) -> list[tuple[str, str]]:
    """A query Shopify's proxy did not sign with our secret just now."""
    pairs = _base()
    how = draw(st.sampled_from(["absent", "random", "other secret", "tampered", "stale", "future", "huge timestamp",
                                "repeated", "other shop", "not a shop", "case"]))
    if how == "absent":
        return pairs + [pair for pair in draw(extra_pairs) if pair[0] != "signature"]
    if how == "random":
        return pairs + [("signature", draw(header_text))]
    if how == "other secret":
        return pairs + [("signature", sign_proxy_query(pairs, draw(st.text(min_size=1).filter(lambda s: s != SECRET))))]
    if how == "tampered":
        signed = pairs + [("signature", sign_proxy_query(pairs, SECRET))]
        return signed + [draw(st.tuples(st.sampled_from(["extra", "shop", "logged_in_customer_id"]), query_text))]
    if how in ("stale", "future"):
        moved = str(int(time.time()) + draw(st.integers(91, 10**12)) * (-1 if how == "stale" else 1))
        pairs = _base(moved)
        return pairs + [("signature", sign_proxy_query(pairs, SECRET))]
    if how == "huge timestamp":
        pairs = _base(draw(st.sampled_from(["9" * 400, "-" + "9" * 400, "9" * 5000, "1e9", " 1", "0x10", "١٢٣"])))
        return pairs + [("signature", sign_proxy_query(pairs, SECRET))]
    if how == "repeated":
        signed = pairs + [("signature", sign_proxy_query(pairs, SECRET))]
        key = draw(st.sampled_from(["signature", "shop", "timestamp"]))
        return signed + [(key, draw(query_text))]
    if how == "other shop":
        pairs = _base(shop=draw(st.sampled_from(["evil.example.com", "a.myshopify.com.evil.com", "", " " + SHOP_A])))
        return pairs + [("signature", sign_proxy_query(pairs, SECRET))]
    if how == "not a shop":
        pairs = _base(shop=draw(query_text))
        return pairs + [("signature", sign_proxy_query(pairs, "someone-else"))]
    signature = sign_proxy_query(pairs, SECRET)
    return pairs + [("signature", signature[:-1] + ("0" if signature[-1] != "0" else "1"))]


@pytest.fixture
def installed(two_shops):
    return two_shops


@HOSTILE
@given(pairs=forged_queries(), form=st.dictionaries(st.text(max_size=12), json_values, max_size=4))
def test_every_forged_or_stale_proxy_request_gets_401_and_stores_nothing(client, installed, pairs, form):
    response = client.post(_url(pairs), json={"variant_id": "123", "email": "ada@example.com", **form})
    assert response.status_code == 401
    assert count(BackInStockSubscription) == 0


sign_up_fields = st.fixed_dictionaries({}, optional={
    name: st.one_of(json_values, st.sampled_from(["123", "gid://shopify/ProductVariant/9", "ada@example.com",
                                                  "+14155552671", "US", "zh-TW", "9" * 400, "\x00", ""]))
    for name in ("variant_id", "product_id", "email", "phone", "country", "locale")
})


good_sign_ups = st.fixed_dictionaries({"variant_id": st.integers(1, 10**12).map(str), "email": st.emails()})


@HOSTILE
@given(fields=st.one_of(good_sign_ups, sign_up_fields), as_json=st.booleans(), content_type=st.one_of(st.none(), header_text),
       customer=st.one_of(st.just(""), query_text, st.just("9" * 400)),
       forwarded_for=st.one_of(st.uuids().map(str), header_text, st.just("203.0.113.7, " + "f" * 5000),
                               st.just("2001:db8::1" + "f" * 100)))
def test_signed_sign_ups_with_any_fields_never_get_a_5xx(client, installed, fields, as_json, content_type, customer,
                                                         forwarded_for):
    pairs = _base()
    pairs[1] = ("logged_in_customer_id", customer)
    url = _url(pairs + [("signature", sign_proxy_query(pairs, SECRET))])
    before = count(BackInStockSubscription)
    if as_json:
        response = client.post(url, json=fields, headers={"X-Forwarded-For": forwarded_for})
    else:
        form = {key: value if isinstance(value, str) else str(value) for key, value in fields.items()}
        headers = {"Content-Type": content_type} if content_type is not None else {}
        response = client.post(url, data=form, headers={**headers, "X-Forwarded-For": forwarded_for})
    assert response.status_code in (200, 201, 422, 429), response.get_data(as_text=True)[:300]
    assert count(BackInStockSubscription) == before + (response.status_code == 201)
