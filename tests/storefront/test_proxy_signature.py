"""The app-proxy signature check, table-driven over what Shopify sends and what an attacker might."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from app.storefront.signature import ProxySignatureError, proxy_message, sign_proxy_query, verify_proxy_query

SECRET = "hush"
NOW = 1_317_327_555


def _signed(pairs, secret=SECRET):
    return pairs + [("signature", sign_proxy_query(pairs, secret))]


BASE = [("extra", "1"), ("extra", "2"), ("shop", "some-shop.myshopify.com"), ("logged_in_customer_id", ""),
        ("path_prefix", "/apps/awesome_reviews"), ("timestamp", str(NOW))]


def test_the_message_is_sorted_pairs_without_separator_and_repeated_values_joined_by_commas():
    assert proxy_message(BASE) == (
        "extra=1,2logged_in_customer_id=path_prefix=/apps/awesome_reviewsshop=some-shop.myshopify.comtimestamp="
        + str(NOW)
    )
    expected = hmac.new(SECRET.encode(), proxy_message(BASE).encode(), hashlib.sha256).hexdigest()
    assert sign_proxy_query(BASE, SECRET) == expected


def test_a_genuine_request_is_accepted_with_the_current_or_the_previous_secret():
    assert verify_proxy_query(_signed(BASE), [SECRET], NOW)["shop"] == "some-shop.myshopify.com"
    assert verify_proxy_query(_signed(BASE, "old"), ["new", "old"], NOW + 90)["timestamp"] == str(NOW)


@pytest.mark.parametrize("pairs, now, reason", [
    (_signed(BASE, "someone-else"), NOW, "does not match"),
    (_signed(BASE)[:-1] + [("signature", "0" * 64)], NOW, "does not match"),
    ([p if p[0] != "extra" else ("extra", "9") for p in _signed(BASE)], NOW, "does not match"),
    (_signed(BASE), NOW + 91, "90 seconds"),
    (_signed(BASE), NOW - 91, "90 seconds"),
    (_signed(BASE) + [("shop", "other.myshopify.com")], NOW, "exactly one 'shop'"),
    (_signed(BASE) + [("signature", "abc")], NOW, "exactly one 'signature'"),
    (_signed(BASE) + [("timestamp", str(NOW))], NOW, "exactly one 'timestamp'"),
    ([p for p in _signed(BASE) if p[0] != "signature"], NOW, "exactly one 'signature'"),
    (_signed([p if p[0] != "shop" else ("shop", "evil.example.com") for p in BASE]), NOW, "myshopify.com"),
    (_signed([p if p[0] != "timestamp" else ("timestamp", "soon") for p in BASE]), NOW, "not a number"),
])
def test_forged_stale_or_ambiguous_requests_are_refused(pairs, now, reason):
    with pytest.raises(ProxySignatureError, match=reason):
        verify_proxy_query(pairs, [SECRET], now)
