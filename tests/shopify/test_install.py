"""Installing against the store emulator: token exchange, the authorization-code grant, and every refusal."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import parse_qs, urlparse

import httpx
from sqlalchemy import select, text

from app import db
from app.auth import state
from app.models import Shop, ShopSettings
from tests.shopify.conftest import CLIENT_ID, SECRET, SHOP


def test_token_exchange_installs_the_shop_with_encrypted_expiring_tokens(client, app, emulator, run_jobs):
    response = client.post("/auth/token-exchange", headers={"Authorization": f"Bearer {emulator.session_token()}"})

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["shop"] == SHOP
    assert emulator.counters()["token_exchanges"] == 1
    live = {t["token"] for t in emulator.control("GET", f"/tokens?shop={SHOP}")["tokens"]}
    with app.app_context():
        shop = db.session().scalar(select(Shop).where(Shop.domain == SHOP))
        assert shop.is_installed and shop.access_token_expires_at is not None and shop.refresh_token_encrypted
        cipher = app.extensions["stockout.cipher"]
        assert cipher.decrypt(shop.access_token_encrypted) in live
        dump = db.session().execute(text("SELECT * FROM shops")).all()
        assert not any(token in str(row) for row in dump for token in live)
        assert db.session().scalar(select(ShopSettings).where(ShopSettings.shop_id == shop.id)) is not None

    assert run_jobs() == 1
    with app.app_context():
        shop = db.session().scalar(select(Shop).where(Shop.domain == SHOP))
        assert shop.name.startswith("Demo Apparel") and shop.contact_email == "owner@demo-apparel.example"
        assert (shop.currency, shop.timezone, shop.locale) == ("CNY", "Asia/Shanghai", "zh-CN")
        assert shop.locations and shop.locations[0]["id"].startswith("gid://shopify/Location/")
        assert shop.online_store_publication_id.startswith("gid://shopify/Publication/")


def test_an_expired_session_token_is_refused_with_a_clear_message(client, emulator):
    token = emulator.session_token(lifetime=-120)

    response = client.post("/auth/token-exchange", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert "session token has expired" in response.json["error"]
    assert response.headers["X-Shopify-Retry-Invalid-Session-Request"] == "1"
    assert emulator.counters().get("token_exchanges", 0) == 0


def test_a_missing_session_token_is_refused(client):
    response = client.post("/auth/token-exchange")
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json["error"]


def test_missing_scopes_are_refused_and_no_token_is_kept(client, app, emulator):
    emulator.register(scopes=["read_products", "read_orders"])

    response = client.post("/auth/token-exchange", headers={"Authorization": f"Bearer {emulator.session_token()}"})

    assert response.status_code == 403
    assert "missing read_customers" in response.json["error"] and "write_orders" in response.json["error"]
    with app.app_context():
        assert db.session().scalar(select(Shop).where(Shop.domain == SHOP)) is None


def test_reinstall_clears_uninstalled_at(client, app, emulator, installed):
    with app.app_context():
        shop = db.session().get(Shop, installed.id)
        shop.uninstalled_at = shop.installed_at
        db.session().commit()

    response = client.post("/auth/token-exchange", headers={"Authorization": f"Bearer {emulator.session_token()}"})

    assert response.status_code == 200
    with app.app_context():
        assert db.session().get(Shop, installed.id).is_installed


def signed_query(params: dict, secret: str = SECRET) -> dict:
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    return {**params, "hmac": hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()}


def install_query(shop: str = SHOP, secret: str = SECRET) -> dict:
    return signed_query({"shop": shop, "timestamp": str(int(time.time()))}, secret)


def approve(emulator, authorize_url: str) -> dict:
    """The merchant approves on the emulator; the query Shopify sends back to /auth/callback."""
    target = urlparse(authorize_url)
    assert f"{target.scheme}://{target.netloc}" == emulator.url and target.path == "/admin/oauth/authorize"
    answer = httpx.get(authorize_url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    back = urlparse(answer.headers["Location"])
    assert back.path == "/auth/callback"
    return {k: v[0] for k, v in parse_qs(back.query).items()}


def test_authorization_code_install_end_to_end(client, app, emulator):
    start = client.get("/auth/install", query_string=install_query())

    assert start.status_code == 302
    authorize = start.headers["Location"]
    asked = parse_qs(urlparse(authorize).query)
    assert asked["client_id"] == [CLIENT_ID] and asked["shop"] == [SHOP]
    assert asked["redirect_uri"] == ["http://127.0.0.1:5000/auth/callback"]
    callback = approve(emulator, authorize)
    cookie = client.get_cookie(state.COOKIE, path="/auth").value

    done = client.get("/auth/callback", query_string=callback)

    assert done.status_code == 302, done.get_data(as_text=True)
    assert urlparse(done.headers["Location"]).path == f"/admin/apps/{CLIENT_ID}"
    assert emulator.counters()["code_grants"] == 1
    with app.app_context():
        shop = db.session().scalar(select(Shop).where(Shop.domain == SHOP))
        assert shop.is_installed and shop.refresh_token_encrypted and shop.access_token_expires_at

    client.set_cookie(state.COOKIE, cookie, path="/auth")
    replay = client.get("/auth/callback", query_string=callback)
    assert replay.status_code == 403
    assert "already used or has expired" in replay.get_data(as_text=True)
    assert emulator.counters()["code_grants"] == 1


def test_a_forged_install_hmac_is_refused(client):
    response = client.get("/auth/install", query_string=install_query(secret="forged-secret-" * 3))
    assert response.status_code == 401
    assert "hmac does not match" in response.get_data(as_text=True)


def test_a_bad_shop_domain_is_refused(client):
    response = client.get("/auth/install", query_string=install_query(shop="demo.myshopify.com.evil.com"))
    assert response.status_code == 400
    assert "not a Shopify shop domain" in response.get_data(as_text=True)


def test_a_callback_without_our_state_cookie_is_refused(client, app, emulator):
    callback = approve(emulator, client.get("/auth/install", query_string=install_query()).headers["Location"])
    stranger = app.test_client()

    response = stranger.get("/auth/callback", query_string=callback)

    assert response.status_code == 403
    assert "state is missing" in response.get_data(as_text=True)
    assert emulator.counters().get("code_grants", 0) == 0


def test_a_callback_with_a_forged_hmac_is_refused(client, emulator):
    callback = approve(emulator, client.get("/auth/install", query_string=install_query()).headers["Location"])

    response = client.get("/auth/callback", query_string={**callback, "code": "attacker-code"})

    assert response.status_code == 401
    assert "hmac does not match" in response.get_data(as_text=True)


def test_a_callback_granting_too_few_scopes_is_refused(client, app, emulator):
    start = client.get("/auth/install", query_string=install_query())
    narrowed = start.headers["Location"].replace("read_customers%2C", "")
    callback = approve(emulator, narrowed)

    response = client.get("/auth/callback", query_string=callback)

    assert response.status_code == 403
    assert "missing read_customers" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(Shop).where(Shop.domain == SHOP)) is None
