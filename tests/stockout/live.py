"""The store emulator and the app, both on real sockets: webhooks flow from one to the other, jobs run in-process."""

from __future__ import annotations

import threading

import httpx
from werkzeug.serving import make_server

from app.shopify.scopes import REQUIRED_SCOPES

SHOP = "demo-apparel.myshopify.com"
CLIENT_ID, CLIENT_SECRET = "test-client-id", "test-client-secret"


class Served:
    """A WSGI app on 127.0.0.1 in a werkzeug thread."""

    def __init__(self, wsgi_app):
        self.server = make_server("127.0.0.1", 0, wsgi_app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


class Store:
    """The emulator with the app registered under the test credentials, and its control surface."""

    def __init__(self, shared_dir, **config):
        from emulator import create_app

        registration = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "scopes": list(REQUIRED_SCOPES),
                        "redirect_urls": ["http://127.0.0.1:5000/auth/callback"]}
        self.app = create_app({"SHOPIFY_SHARED_DIR": str(shared_dir), "APP": registration,
                               "WEBHOOK_RETRY_DELAYS": (0.05, 0.2, 0.5), **config})
        self.served = Served(self.app)
        self.url = self.served.url
        self.http = httpx.Client(base_url=f"{self.url}/emulator", timeout=30, trust_env=False)

    @property
    def emulator(self):
        return self.app.extensions["emulator"]

    def control(self, method: str, path: str, **json) -> dict:
        response = self.http.request(method, path, json=json if method != "GET" else None)
        assert response.status_code == 200, response.text
        return response.json()

    def shop_path(self, path: str) -> str:
        return f"/shops/{SHOP}{path}"

    def product(self, product_gid: str) -> dict:
        """The product as the merchant sees it: webhook shape plus metafields and Online Store publication."""
        return self.control("GET", self.shop_path(f"/products/{product_gid.rsplit('/', 1)[-1]}"))

    def wait(self, timeout: float = 15.0) -> None:
        assert self.emulator.dispatcher.wait_idle(timeout), "webhook deliveries did not finish"

    def close(self) -> None:
        self.http.close()
        self.served.close()
        self.emulator.close()


def settle(store: Store, run_jobs, rounds: int = 12) -> None:
    """Deliver webhooks and run jobs until nothing more happens on either side."""
    for _ in range(rounds):
        store.wait()
        if run_jobs() == 0:
            store.wait()
            if run_jobs() == 0:
                return
    raise AssertionError("the app and the store did not settle")


def visible(product: dict) -> dict:
    """What a shopper or merchant can see of a product and the app might change."""
    return {
        "title": product["title"], "status": product["status"],
        "tags": sorted(t for t in product["tags"].split(", ") if t),
        "published": product["published_on_online_store"],
        "policies": {v["admin_graphql_api_id"]: v["inventory_policy"] for v in product["variants"]},
        "metafields": dict(product["metafields"]),
    }
