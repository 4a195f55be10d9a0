"""Expiring offline tokens: refreshed once under the shop's lock, however many callers ask at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from app import db
from app.models import Shop
from app.shopify import documents, tokens
from app.shopify.client import client_for
from app.shopify.errors import ShopNotInstalled, TokenRefreshFailed
from tests.shopify.conftest import SHOP, utcnow


def expire_soon(shop_id: int, within: timedelta = timedelta(minutes=1)) -> None:
    shop = db.session().get(Shop, shop_id)
    shop.access_token_expires_at = utcnow() + within
    db.session().commit()


def test_a_fresh_token_is_used_as_it_is(installed, emulator):
    token = tokens.access_token_for(installed)
    assert tokens.access_token_for(installed.id) == token
    assert emulator.counters().get("refreshes", 0) == 0


def test_two_concurrent_refreshes_make_one_exchange_and_both_get_the_new_token(app, installed, emulator):
    old = tokens.access_token_for(installed)
    expire_soon(installed.id)
    barrier, got, failures = threading.Barrier(2), [], []

    def caller():
        with app.app_context():
            barrier.wait()
            try:
                got.append(tokens.access_token_for(installed.id))
            except Exception as exc:  # surfaced by the assertion below, with its message
                failures.append(exc)

    threads = [threading.Thread(target=caller) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert failures == []
    assert emulator.counters()["refreshes"] == 1
    assert got[0] == got[1] != old
    shop = db.session().get(Shop, installed.id, populate_existing=True)
    assert app.extensions["stockout.cipher"].decrypt(shop.access_token_encrypted) == got[0]
    assert shop.access_token_expires_at - utcnow() > timedelta(minutes=50)
    assert client_for(shop).graphql(documents.SHOP_FACTS)["shop"]["myshopifyDomain"] == SHOP


def test_a_refresh_after_a_refresh_uses_the_rotated_refresh_token(installed, emulator):
    expire_soon(installed.id)
    first = tokens.access_token_for(installed.id)
    expire_soon(installed.id)
    second = tokens.access_token_for(installed.id)

    assert first != second
    assert emulator.counters()["refreshes"] == 2
    assert emulator.counters().get("refresh_rejected", 0) == 0


def test_a_refused_refresh_says_the_merchant_must_open_the_app(installed, emulator):
    emulator.control("POST", f"/shops/{SHOP}/uninstall")
    expire_soon(installed.id)

    with pytest.raises(TokenRefreshFailed, match="open the app"):
        tokens.access_token_for(installed.id)


def test_an_uninstalled_shop_has_no_token(installed):
    shop = db.session().get(Shop, installed.id)
    tokens.forget(shop)
    db.session().commit()

    with pytest.raises(ShopNotInstalled, match=SHOP):
        tokens.access_token_for(installed.id)


@pytest.mark.parametrize("emulator", [{"CLOCK": "fake"}], indirect=True)
def test_a_token_shopify_no_longer_accepts_is_refreshed_once_and_the_call_retried(installed, emulator):
    emulator.flask_app.extensions["emulator"].clock.advance(3700)

    data = client_for(installed).graphql(documents.SHOP_FACTS)

    assert data["shop"]["myshopifyDomain"] == SHOP
    counters = emulator.counters()
    assert counters["unauthorized"] == 1 and counters["refreshes"] == 1
