"""The emulator uninstalls the app and later asks for shop/redact: the signed webhooks reach our handlers."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from app import db
from app.models import Shop
from tests.shopify.conftest import SHOP


@pytest.fixture
def app_server(app, emulator):
    """The app on a real socket, registered as the emulator's webhook destination."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    emulator.register(app_url=f"http://127.0.0.1:{server.server_port}")
    yield
    server.shutdown()
    thread.join(timeout=5)


def deliver_and_run(emulator, run_jobs, path: str) -> None:
    emulator.control("POST", path)
    emulator.control("POST", "/webhooks/wait", timeout=10)
    run_jobs()


def test_uninstall_then_shop_redact_from_shopify(installed, emulator, app_server, run_jobs):
    shop_id = installed.id

    deliver_and_run(emulator, run_jobs, f"/shops/{SHOP}/uninstall")

    db.session().expunge_all()
    shop = db.session().get(Shop, shop_id)
    assert shop.uninstalled_at is not None and not shop.is_installed
    assert shop.access_token_encrypted is None and shop.refresh_token_encrypted is None
    assert emulator.control("GET", f"/tokens?shop={SHOP}")["tokens"] == []

    deliver_and_run(emulator, run_jobs, f"/shops/{SHOP}/compliance/shop-redact")

    db.session().expunge_all()
    assert db.session().get(Shop, shop_id) is None
