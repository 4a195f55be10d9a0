"""The app wired to a live store emulator on 127.0.0.1, with the app registered under the test credentials."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import httpx
import pytest
from werkzeug.serving import make_server

from app.shopify.scopes import REQUIRED_SCOPES
from tests.conftest import make_settings

SHOP = "demo-apparel.myshopify.com"
CLIENT_ID, SECRET = "test-client-id", "test-client-secret"
APP_URL = "http://127.0.0.1:5000"


class LiveEmulator:
    """The emulator on a real socket, plus the few control calls the tests need."""

    def __init__(self, flask_app):
        self.flask_app = flask_app
        self.server = make_server("127.0.0.1", 0, flask_app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def control(self, method: str, path: str, **json) -> dict:
        response = self.http.request(method, f"/emulator{path}", json=json)
        assert response.status_code == 200, response.text
        return response.json()

    def register(self, **changes) -> None:
        self.control("POST", "/app", **changes)

    def session_token(self, shop: str = SHOP, **options) -> str:
        return self.control("POST", "/session-token", shop=shop, **options)["token"]

    def counters(self, shop: str = SHOP) -> dict:
        return self.control("GET", f"/shops/{shop}/stats")["counters"]

    @property
    def store(self):
        return self.flask_app.extensions["emulator"].store

    def close(self) -> None:
        self.http.close()
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.flask_app.extensions["emulator"].close()


APP_REGISTRATION = {
    "client_id": CLIENT_ID,
    "client_secret": SECRET,
    "scopes": list(REQUIRED_SCOPES),
    "redirect_urls": [f"{APP_URL}/auth/callback"],
    "app_url": None,
}


def start_emulator(shared_dir, **config) -> LiveEmulator:
    from emulator import create_app

    flask_app = create_app({"SHOPIFY_SHARED_DIR": str(shared_dir), "APP": APP_REGISTRATION, **config})
    live = LiveEmulator(flask_app)
    live.control("POST", "/seed")
    return live


@pytest.fixture(scope="session")
def shared_emulator(shared_dir):
    live = start_emulator(shared_dir)
    yield live
    live.close()


@pytest.fixture
def emulator(request, shared_dir, shared_emulator):
    """The session's emulator, reset (demo shop seeded, nothing installed, app as registered); or, when
    parametrized indirectly with emulator settings, a fresh one of its own ("CLOCK": "fake" = a frozen clock)."""
    config = dict(getattr(request, "param", None) or {})
    if not config:
        shared_emulator.control("POST", "/reset")
        shared_emulator.register(**APP_REGISTRATION)
        shared_emulator.control("POST", "/seed")
        yield shared_emulator
        return
    if config.get("CLOCK") == "fake":
        from emulator.clock import FakeClock

        config["CLOCK"] = FakeClock(start=utcnow())
    live = start_emulator(shared_dir, **config)
    yield live
    live.close()


@pytest.fixture
def settings(migrated_database, redis_url, emulator):
    return make_settings(migrated_database, redis_url, shopify_api_base_url=emulator.url, app_url=APP_URL)


@pytest.fixture
def installed(app_context, emulator):
    """The demo shop installed through token exchange; returns the Shop row."""
    from app.shopify.install import install_from_session_token

    return install_from_session_token(emulator.session_token())


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
