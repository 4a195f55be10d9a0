"""The first admin load of a shop without an offline token installs it by token exchange, against the emulator."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import db
from app.models import Shop
from tests.conftest import make_settings
from tests.shopify.conftest import APP_REGISTRATION, SHOP, start_emulator


@pytest.fixture(scope="module")
def emulator(shared_dir):
    live = start_emulator(shared_dir)
    yield live
    live.close()


@pytest.fixture
def settings(migrated_database, redis_url, emulator):
    emulator.control("POST", "/reset")
    emulator.register(**APP_REGISTRATION)
    emulator.control("POST", "/seed")
    return make_settings(migrated_database, redis_url, shopify_api_base_url=emulator.url)


def test_first_load_installs_the_shop_then_later_loads_reuse_its_token(client, app, emulator):
    first = client.get("/app/", query_string={"shop": SHOP, "id_token": emulator.session_token()})
    assert first.status_code == 200, first.get_data(as_text=True)[:1000]
    assert emulator.counters()["token_exchanges"] == 1
    with app.app_context():
        shop = db.session().scalar(select(Shop).where(Shop.domain == SHOP))
        assert shop.is_installed and shop.access_token_encrypted
    again = client.get("/app/settings", query_string={"shop": SHOP, "id_token": emulator.session_token()})
    assert again.status_code == 200
    assert emulator.counters()["token_exchanges"] == 1


def test_a_refused_install_shows_why_instead_of_the_admin(client, app, emulator):
    emulator.register(**{**APP_REGISTRATION, "scopes": ["read_products"]})
    response = client.get("/app/", query_string={"shop": SHOP, "id_token": emulator.session_token()})
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "could not be installed" in html and "缺货管家未能安装" in html
    assert response.headers["Content-Security-Policy"] == f"frame-ancestors https://{SHOP} https://admin.shopify.com;"
