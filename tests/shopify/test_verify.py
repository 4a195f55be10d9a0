"""Trust checks: shop domains, query HMACs (hex, sorted, constant time, 90 s), session tokens."""

from __future__ import annotations

import hashlib
import hmac
import time

import jwt
import pytest

from app.shopify import scopes
from app.shopify.errors import InstallRefused, InvalidSessionToken
from app.shopify.verify import decode_session_token, shop_domain, shop_from_claims, verify_query_hmac

SECRET, OLD_SECRET, CLIENT_ID = "s3cret-" * 6, "old-s3cret-" * 4, "client-1"


@pytest.mark.parametrize("value", ["demo.myshopify.com", "Demo-Shop-2.myshopify.com", "a.myshopify.com"])
def test_shop_domains_accepted(value):
    assert shop_domain(value) == value.lower()


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "evil.com",
        "demo.myshopify.com.evil.com",
        "evil.com/demo.myshopify.com",
        "https://demo.myshopify.com",
        "-demo.myshopify.com",
        "demo.myshopify.com\n",
        "de mo.myshopify.com",
        "demo.myshopify.co",
        "demo.myshopify.com:443",
    ],
)
def test_shop_domains_refused_with_a_clear_message(value):
    with pytest.raises(InstallRefused, match="not a Shopify shop domain"):
        shop_domain(value)


def sign(params: dict, secret: str = SECRET) -> dict:
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    return {**params, "hmac": hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()}


def test_a_query_signed_by_shopify_passes_with_either_secret():
    params = {"shop": "demo.myshopify.com", "timestamp": str(int(time.time())), "host": "YWRtaW4="}
    verify_query_hmac(sign(params), (SECRET, OLD_SECRET))
    verify_query_hmac(sign(params, OLD_SECRET), (SECRET, OLD_SECRET))


def test_a_forged_or_altered_query_is_refused():
    params = sign({"shop": "demo.myshopify.com", "timestamp": str(int(time.time()))})
    with pytest.raises(InstallRefused, match="hmac does not match"):
        verify_query_hmac({**params, "shop": "other.myshopify.com"}, (SECRET,))
    with pytest.raises(InstallRefused, match="hmac does not match"):
        forged = sign({"shop": "demo.myshopify.com", "timestamp": params["timestamp"]}, "guess" * 9)
        verify_query_hmac(forged, (SECRET,))
    with pytest.raises(InstallRefused, match="no hmac"):
        verify_query_hmac({"shop": "demo.myshopify.com"}, (SECRET,))


def test_a_stale_query_is_refused():
    params = sign({"shop": "demo.myshopify.com", "timestamp": str(int(time.time()) - 91)})
    with pytest.raises(InstallRefused, match="more than 90 seconds old"):
        verify_query_hmac(params, (SECRET,))


def mint(secret: str = SECRET, shop: str = "demo.myshopify.com", **changes) -> str:
    now = int(time.time())
    claims = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": CLIENT_ID,
        "sub": "42",
        "exp": now + 60,
        "nbf": now,
        "iat": now,
        "jti": "j",
        "sid": "s",
    }
    claims.update(changes)
    return jwt.encode(claims, secret, algorithm="HS256")


def test_a_session_token_is_decoded_with_either_secret():
    for secret in (SECRET, OLD_SECRET):
        claims = decode_session_token(mint(secret), CLIENT_ID, (SECRET, OLD_SECRET))
        assert shop_from_claims(claims) == "demo.myshopify.com"


def test_an_expired_session_token_is_refused_with_a_clear_message():
    past = int(time.time()) - 120
    with pytest.raises(InvalidSessionToken, match="session token has expired"):
        decode_session_token(mint(exp=past, nbf=past - 60, iat=past - 60), CLIENT_ID, (SECRET,))


@pytest.mark.parametrize(
    "secret, changes",
    [
        ("not-our-secret-" * 3, {}),
        (SECRET, {"aud": "another-app"}),
        (SECRET, {"iss": "https://evil.example/admin", "dest": "https://evil.example"}),
        (SECRET, {"dest": "https://other.myshopify.com"}),
    ],
)
def test_a_session_token_not_for_us_is_refused(secret, changes):
    with pytest.raises(InvalidSessionToken, match="not valid for this app"):
        decode_session_token(mint(secret, **changes), CLIENT_ID, (SECRET,))


def test_garbage_is_not_a_session_token():
    with pytest.raises(InvalidSessionToken, match="not valid for this app"):
        decode_session_token("not-a-jwt", CLIENT_ID, (SECRET,))


def test_a_missing_session_token_says_how_to_send_one():
    with pytest.raises(InvalidSessionToken, match="Authorization: Bearer"):
        decode_session_token(None, CLIENT_ID, (SECRET,))


def test_write_scopes_grant_their_read_scope_and_missing_ones_are_named():
    granted = scopes.parse("write_products,read_customers")
    assert scopes.missing(granted, ("read_products", "read_customers", "write_orders")) == ["write_orders"]
    assert scopes.missing(scopes.parse(",".join(scopes.REQUIRED_SCOPES))) == []
