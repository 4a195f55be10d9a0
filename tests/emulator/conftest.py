"""Fixtures for the store emulator: an app with a registered client, a live HTTP server, a webhook receiver."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.emulator.emu_helpers import SHOP, Admin, Receiver, make_app

SHARED_DIR = Path(os.environ.get("SHOPIFY_SHARED_DIR", Path(__file__).resolve().parents[3] / "shared"))
SCHEMA = SHARED_DIR / "shopify" / "admin-schema" / "admin-2026-07.graphql"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SCHEMA.exists():
        pytest.skip(f"the shared Shopify folder is absent ({SCHEMA}); set SHOPIFY_SHARED_DIR")
    return SHARED_DIR


@pytest.fixture
def emulator_app(shared_dir):
    app = make_app(shared_dir)
    yield app
    app.extensions["emulator"].close()


@pytest.fixture
def client(emulator_app):
    return emulator_app.test_client()


@pytest.fixture
def seeded(client):
    """The demo shop seeded and the app installed; returns the seed summary."""
    summary = client.post("/emulator/seed", json={}).json
    summary["token"] = client.post(f"/emulator/shops/{SHOP}/install", json={}).json["access_token"]
    return summary


@pytest.fixture
def admin(client, seeded) -> Admin:
    return Admin(client, seeded["token"])


@pytest.fixture
def live(emulator_app):
    """The emulator on a real socket, as the app reaches it."""
    server = make_server("127.0.0.1", 0, emulator_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def wired(emulator_app, client, receiver, seeded):
    """Seeded, installed, and the app's webhook URL pointing at the receiver."""
    client.post("/emulator/app", json={"app_url": receiver.url})
    return emulator_app.extensions["emulator"]
