"""OAuth as Shopify answers it: code grant with a signed redirect, token exchange, refresh rotation."""
import base64
import hashlib
import hmac
from urllib.parse import parse_qsl, urlparse

import jwt
import pytest
from tests.emulator.emu_helpers import CLIENT_ID, SECRET, SHOP, Admin, data_of, make_app

from emulator import session_tokens
from emulator.clock import FakeClock

TOKEN_URL = "/admin/oauth/access_token"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE = "urn:shopify:params:oauth:token-type:offline-access-token"
ONLINE = "urn:shopify:params:oauth:token-type:online-access-token"
OLD_SECRET = "previous-secret-0123456789abcdef01234567"


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def oauth(shared_dir, clock):
    app = make_app(shared_dir, CLOCK=clock, APP={"app_url": "https://app.example", "previous_secret": OLD_SECRET})
    client = app.test_client()
    client.post("/emulator/seed", json={})
    yield client
    app.extensions["emulator"].close()


def _post(client, **data):
    return client.post(TOKEN_URL, json=data, headers={"X-Shopify-Shop-Domain": SHOP})


def _exchange(client, token, **extra):
    fields = {"client_id": CLIENT_ID, "client_secret": SECRET, "grant_type": EXCHANGE, "subject_token": token,
              "subject_token_type": ID_TOKEN, "requested_token_type": OFFLINE, "expiring": "1", **extra}
    return _post(client, **fields)


def _session_token(clock, **overrides):
    return session_tokens.mint(SHOP, CLIENT_ID, SECRET, now=clock.timestamp(), **overrides)


def test_code_grant_redirect_is_signed_and_code_works_once(oauth):
    response = oauth.get("/admin/oauth/authorize", query_string={
        "client_id": CLIENT_ID, "scope": "read_products,write_orders", "state": "nonce-123", "shop": SHOP,
        "redirect_uri": "https://app.example/auth/callback", "grant_options[]": ""})
    assert response.status_code == 302
    target = urlparse(response.headers["Location"])
    assert target.netloc == "app.example" and target.path == "/auth/callback"
    params = dict(parse_qsl(target.query))
    assert set(params) == {"code", "hmac", "host", "shop", "state", "timestamp"}
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    assert hmac.compare_digest(params["hmac"], hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest())
    assert base64.b64decode(params["host"] + "==").decode() == "admin.shopify.com/store/demo-apparel"
    assert params["state"] == "nonce-123" and params["shop"] == SHOP
    granted = oauth.post(TOKEN_URL, data={"client_id": CLIENT_ID, "client_secret": SECRET, "code": params["code"]},
                         headers={"Host": SHOP})
    assert granted.status_code == 200
    assert set(granted.json) == {"access_token", "scope"} and granted.json["scope"] == "read_products,write_orders"
    again = _post(oauth, client_id=CLIENT_ID, client_secret=SECRET, code=params["code"])
    assert again.status_code == 400 and again.json["error"] == "invalid_request"
    assert Admin(oauth, granted.json["access_token"]).post("{ shop { name } }").status_code == 200


def test_authorize_refuses_foreign_redirect(oauth):
    response = oauth.get("/admin/oauth/authorize", query_string={
        "client_id": CLIENT_ID, "scope": "read_products", "shop": SHOP, "redirect_uri": "https://evil.example/cb"})
    assert response.status_code == 400


def test_token_exchange_gives_expiring_offline_token(oauth, clock):
    answer = _exchange(oauth, _session_token(clock))
    assert answer.status_code == 200
    body = answer.json
    assert list(body) == ["access_token", "scope", "expires_in", "refresh_token", "refresh_token_expires_in"]
    assert body["expires_in"] == 3600 and body["access_token"].startswith("shpat_")
    admin = Admin(oauth, body["access_token"])
    assert data_of(admin.graphql("{ shop { currencyCode } }"))["shop"]["currencyCode"] == "CNY"
    clock.advance(3601)
    assert admin.post("{ shop { name } }").status_code == 401
    stats = oauth.get(f"/emulator/shops/{SHOP}/stats").json
    assert stats["counters"]["token_exchanges"] == 1 and stats["installed"] is True


@pytest.mark.parametrize("problem", ["expired", "wrong_secret", "wrong_audience", "other_shop", "garbage"])
def test_token_exchange_rejects_untrustworthy_session_tokens(oauth, clock, problem):
    token = {
        "expired": lambda: _session_token(clock, lifetime=60, exp=int(clock.timestamp()) - 30),
        "wrong_secret": lambda: session_tokens.mint(SHOP, CLIENT_ID, "x" * 40, now=clock.timestamp()),
        "wrong_audience": lambda: _session_token(clock, aud="someone-else"),
        "other_shop": lambda: session_tokens.mint("other.myshopify.com", CLIENT_ID, SECRET, now=clock.timestamp()),
        "garbage": lambda: "not.a.jwt",
    }[problem]()
    answer = _exchange(oauth, token)
    assert answer.status_code == 400
    assert answer.json == {"error": "invalid_subject_token",
                           "error_description": "Token exchange cannot be performed due to an invalid subject token."}


def test_session_token_signed_with_previous_secret_still_exchanges(oauth, clock):
    token = session_tokens.mint(SHOP, CLIENT_ID, OLD_SECRET, now=clock.timestamp())
    assert _exchange(oauth, token).status_code == 200


def test_bad_client_secret_is_400(oauth, clock):
    answer = _post(oauth, client_id=CLIENT_ID, client_secret="nope", grant_type=EXCHANGE,
                   subject_token=_session_token(clock), subject_token_type=ID_TOKEN)
    assert answer.status_code == 400 and answer.json["error"] == "invalid_client"


def test_online_token_exchange(oauth, clock):
    answer = _exchange(oauth, _session_token(clock, user_id=42), requested_token_type=ONLINE)
    body = answer.json
    assert answer.status_code == 200 and body["access_token"].startswith("shpua_")
    assert body["associated_user"]["id"] == 42 and body["expires_in"] == 86400


def test_refresh_rotates_and_old_token_lives_until_new_one_is_used(oauth, clock):
    first = _exchange(oauth, _session_token(clock)).json

    def refresh(token):
        return _post(oauth, client_id=CLIENT_ID, client_secret=SECRET, grant_type="refresh_token", refresh_token=token)
    second = refresh(first["refresh_token"])
    assert second.status_code == 200 and second.json["refresh_token"] != first["refresh_token"]
    retried = refresh(first["refresh_token"])
    assert retried.status_code == 200, "the previous refresh token stays valid until the new one is used"
    third = refresh(second.json["refresh_token"])
    assert third.status_code == 200
    dead = refresh(first["refresh_token"])
    assert dead.status_code == 400 and dead.json["error"] == "invalid_grant"
    assert Admin(oauth, third.json["access_token"]).post("{ shop { name } }").status_code == 200
    assert oauth.get(f"/emulator/shops/{SHOP}/stats").json["counters"]["refreshes"] == 3


def test_non_expiring_token_migrates_to_expiring(oauth):
    legacy = oauth.post(f"/emulator/shops/{SHOP}/install", json={"expiring": False}).json["access_token"]
    answer = _post(oauth, client_id=CLIENT_ID, client_secret=SECRET, grant_type=EXCHANGE, subject_token=legacy,
                   subject_token_type=OFFLINE, requested_token_type=OFFLINE, expiring="1")
    assert answer.status_code == 200 and "refresh_token" in answer.json
    assert Admin(oauth, legacy).post("{ shop { name } }").status_code == 401


def test_session_token_claims(clock):
    token = session_tokens.mint(SHOP, CLIENT_ID, SECRET, user_id=7, lifetime=60, now=clock.timestamp())
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience=CLIENT_ID, options={"verify_exp": False,
                                                                                          "verify_nbf": False})
    assert claims["iss"] == f"https://{SHOP}/admin" and claims["dest"] == f"https://{SHOP}"
    assert claims["sub"] == "7" and claims["exp"] - claims["nbf"] == 60 and claims["iat"] == claims["nbf"]
    assert claims["jti"] and claims["sid"]
    without_sid = session_tokens.mint(SHOP, CLIENT_ID, SECRET, sid=None)
    assert "sid" not in jwt.decode(without_sid, SECRET, algorithms=["HS256"], audience=CLIENT_ID)


def test_session_token_control_endpoint(oauth, clock):
    token = oauth.post("/emulator/session-token", json={"shop": SHOP, "user_id": 3}).json["token"]
    assert _exchange(oauth, token).status_code == 200
