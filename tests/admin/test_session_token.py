"""Session-token checks: a good token passes; expired, early, foreign, forged or malformed ones are refused."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jwt
import pytest

from app.admin.session_token import InvalidSessionToken, mint_session_token, verify_session_token

CLIENT_ID = "client-id-of-this-app"
SECRET = "a-secret-of-at-least-thirty-two-bytes-long"
PREVIOUS = "the-previous-secret-still-valid-in-rotation"
SHOP = "juniper-clay.myshopify.com"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


def claims(**changes) -> dict:
    issued = int(NOW.timestamp())
    values = {
        "iss": f"https://{SHOP}/admin", "dest": f"https://{SHOP}", "aud": CLIENT_ID, "sub": "42",
        "exp": issued + 60, "nbf": issued, "iat": issued, "jti": "jti-1", "sid": "sid-1",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def signed(secret: str = SECRET, algorithm: str = "HS256", **changes) -> str:
    return jwt.encode(claims(**changes), secret, algorithm=algorithm)


def verify(token: str, **options):
    values = dict(client_id=CLIENT_ID, secrets=(SECRET, PREVIOUS), now=NOW)
    values.update(options)
    return verify_session_token(token, **values)


def test_a_good_token_names_the_shop_and_user():
    session = verify(signed())
    assert (session.shop, session.user_id, session.session_id) == (SHOP, "42", "sid-1")
    assert session.expires_at == NOW + timedelta(seconds=60)


def test_the_previous_secret_is_accepted_during_rotation():
    assert verify(signed(secret=PREVIOUS)).shop == SHOP


@pytest.mark.parametrize(
    "token, reason",
    [
        (signed(exp=int(NOW.timestamp()) - 11), "expired"),
        (signed(nbf=int(NOW.timestamp()) + 11), "not valid yet"),
        (signed(aud="another-app"), "audience is not this app"),
        (signed(secret="somebody-elses-secret-of-thirty-two-bytes"), "signature does not match the app secret"),
        (signed(dest="https://evil.example.com", iss="https://evil.example.com/admin"),
         "destination is not a myshopify.com shop"),
        (signed(iss="https://other-shop.myshopify.com/admin"), "issuer and destination name different shops"),
        (signed(dest=f"http://{SHOP}"), "destination is not a myshopify.com shop"),
        (signed(exp=None), "claim 'exp' is missing"),
        (signed(dest=None), "claim 'dest' is missing"),
        ("not.a.token", "malformed: DecodeError"),
        ("", "missing"),
    ],
    ids=["expired", "early", "wrong-audience", "bad-signature", "foreign-host", "iss-dest-mismatch", "http-dest",
         "no-exp", "no-dest", "garbage", "empty"],
)
def test_bad_tokens_are_refused_with_one_typed_error(token, reason):
    with pytest.raises(InvalidSessionToken) as refused:
        verify(token)
    assert refused.value.reason == reason


def test_ten_seconds_of_clock_skew_are_tolerated():
    assert verify(signed(exp=int(NOW.timestamp()) - 9)).shop == SHOP
    assert verify(signed(nbf=int(NOW.timestamp()) + 9)).shop == SHOP


def test_a_token_for_another_shop_than_the_request_names_is_refused():
    with pytest.raises(InvalidSessionToken, match="another shop"):
        verify(signed(), shop="other-shop.myshopify.com")
    assert verify(signed(), shop=SHOP.upper()).shop == SHOP


def test_unsigned_and_other_algorithms_are_refused():
    unsigned = jwt.encode(claims(), None, algorithm="none")
    with pytest.raises(InvalidSessionToken, match="HS256"):
        verify(unsigned)
    with pytest.raises(InvalidSessionToken, match="HS256"):
        verify(signed(algorithm="HS512"))


def test_without_app_credentials_nothing_verifies():
    with pytest.raises(InvalidSessionToken, match="not configured"):
        verify(signed(), secrets=())


def test_minted_development_tokens_verify_like_shopify_ones():
    token = mint_session_token(SHOP, client_id=CLIENT_ID, secret=SECRET, now=NOW)
    session = verify(token)
    assert session.shop == SHOP
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == f"https://{SHOP}/admin"
