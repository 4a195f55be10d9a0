"""Admin test helpers: an installed shop, session tokens for it, and pages fetched the way App Bridge would."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import db
from app.admin.session_token import mint_session_token
from app.models import Shop

SHOP_DOMAIN = "juniper-clay.myshopify.com"


@pytest.fixture
def shop(app_context):
    """An installed shop holding an offline token, so first loads need no token exchange."""
    cipher = app_context.extensions["stockout.cipher"]
    row = Shop(
        domain=SHOP_DOMAIN, name="Juniper & Clay", contact_email="owner@juniperandclay.example",
        access_token_encrypted=cipher.encrypt("shpat_test"), installed_at=db.utcnow(), timezone="Asia/Shanghai",
        currency="CNY", locale="zh-CN", scopes="read_orders",
    )
    session = db.session()
    session.add(row)
    session.commit()
    return row


@pytest.fixture
def token(app, shop):
    """A fresh session token for the shop, minted as Shopify would (HS256 with the app secret)."""
    settings = app.config["SETTINGS"]

    def mint(domain: str = SHOP_DOMAIN, **overrides) -> str:
        values = dict(client_id=settings.shopify_api_key, secret=settings.shopify_api_secret, now=db.utcnow(),
                      lifetime=timedelta(minutes=1))
        values.update(overrides)
        return mint_session_token(domain, **values)

    return mint


@pytest.fixture
def page(client, token):
    """GET a page as a document load: `id_token` in the query."""

    def get(path: str, **params):
        return client.get(path, query_string={"shop": SHOP_DOMAIN, "id_token": token(), **params})

    return get


@pytest.fixture
def call(client, token):
    """A fetch from the page: JSON with `Authorization: Bearer`."""

    def send(path: str, json: dict | None = None, method: str | None = None, **params):
        headers = {"Authorization": f"Bearer {token()}"}
        verb = method or ("POST" if json is not None else "GET")
        return client.open(path, method=verb, json=json, headers=headers, query_string=params)

    return send
