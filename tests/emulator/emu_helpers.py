"""Helpers for the emulator tests: the app-side GraphQL caller and a webhook receiver."""
from __future__ import annotations

import http.server
import threading
from pathlib import Path

import httpx

from emulator import create_app

SHOP = "demo-apparel.myshopify.com"
CLIENT_ID, SECRET = "emu-client-id", "emu-client-secret-0123456789abcdef0123"


def make_app(shared_dir: Path, **config):
    """The emulator with the test app registered; `APP` entries add to the registration."""
    app_settings = config.pop("APP", {})
    settings = {"SHOPIFY_SHARED_DIR": str(shared_dir), "WEBHOOK_RETRY_DELAYS": (0.05, 0.1, 0.2),
                "APP": {"client_id": CLIENT_ID, "client_secret": SECRET, **app_settings}}
    settings.update(config)
    return create_app(settings)


class Admin:
    """The app's side of the Admin API: one shop, one token, one `graphql()` call."""

    def __init__(self, http, token: str, shop: str = SHOP, version: str = "2026-07"):
        self.http, self.token, self.shop, self.version = http, token, shop, version

    def post(self, query: str, variables: dict | None = None, **extra_headers):
        headers = {"X-Shopify-Access-Token": self.token, "X-Shopify-Shop-Domain": self.shop, **extra_headers}
        return self.http.post(f"/admin/api/{self.version}/graphql.json",
                              json={"query": query, "variables": variables or {}}, headers=headers)

    def graphql(self, query: str, **variables) -> dict:
        response = self.post(query, variables)
        assert response.status_code == 200, response.get_data(as_text=True) if hasattr(response, "get_data") \
            else response.text
        return response.json if hasattr(response, "get_data") else response.json()


def data_of(answer: dict) -> dict:
    assert "errors" not in answer, answer["errors"]
    return answer["data"]


class Receiver:
    """A tiny webhook endpoint on 127.0.0.1 that records raw bodies and answers planned statuses."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def topics(self) -> list[str]:
        with self.lock:
            return [r["headers"]["X-Shopify-Topic"] for r in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def wait_for(emulator, timeout: float = 5.0) -> None:
    assert emulator.dispatcher.wait_idle(timeout), "webhook deliveries did not finish"


def http_client(base: str) -> httpx.Client:
    return httpx.Client(base_url=base, trust_env=False, timeout=10)
