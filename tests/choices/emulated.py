"""The local store emulator on a real socket, a shop installed in it, and helpers to act on both sides."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import httpx
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select
from werkzeug.serving import make_server

from app import db, queues
from app.models import CaseLine, Shop, ShopSettings, StockoutCase
from app.shopify.client import client_for
from app.shopify.oauth import TokenGrant
from app.shopify.tokens import store_grant

DOMAIN = "demo-apparel.myshopify.com"

CATALOGUE = """
query TestCatalogue {
  products(first: 32) {
    nodes {
      id title productType status
      variants(first: 12) { nodes { id title price inventoryQuantity } }
    }
  }
}
"""

ORDER_STATE = """
query TestOrderState($id: ID!) {
  order(id: $id) {
    id tags
    lineItems(first: 20) { nodes { id currentQuantity variant { id } discountedUnitPriceSet { shopMoney { amount } } } }
    refunds { id totalRefundedSet { shopMoney { amount } } }
    totalOutstandingSet { shopMoney { amount } }
  }
}
"""


class EmulatorServer:
    """The emulator app served by a werkzeug thread."""

    def __init__(self, emulator_app):
        self.app = emulator_app
        self.server = make_server("127.0.0.1", 0, emulator_app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def control(self, method: str, path: str, **body) -> dict:
        response = httpx.request(method, f"{self.url}/emulator{path}", json=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def shop_state(self):
        """The emulator's own record of the shop (read-only inspection of the fake)."""
        return self.app.extensions["emulator"].store.shops[DOMAIN]

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.app.extensions["emulator"].close()


class Store:
    """The demo shop, installed in the emulator and known to the app."""

    def __init__(self, emulator: EmulatorServer, shop: Shop):
        self.emulator = emulator
        self.shop = shop
        self._catalogue: list[dict] | None = None

    def graphql(self, document: str, **variables) -> dict:
        with client_for(self.shop.id) as client:
            return client.graphql(document, **variables)

    def products(self) -> list[dict]:
        """The catalogue as the Admin API shows it (ids, titles, prices), read once per test."""
        if self._catalogue is None:
            self._catalogue = self.graphql(CATALOGUE)["products"]["nodes"]
        return self._catalogue

    def set_stock(self, variant_gid: str, available: int) -> None:
        """The variant's available stock, all of it at its first stocked location (the others emptied)."""
        state = self.emulator.shop_state()
        variant = state.variants[int(variant_gid.rsplit("/", 1)[-1])]
        locations = [f"gid://shopify/Location/{level.location_id}" for level in state.levels_of(
            variant.inventory_item_id)]
        for index, location in enumerate(locations or [None]):
            body = {"variant_id": variant_gid, "available": available if index == 0 else 0}
            if location:
                body["location_id"] = location
            self.emulator.control("POST", f"/shops/{DOMAIN}/inventory", **body)

    def order_state(self, order_gid: str) -> dict:
        return self.graphql(ORDER_STATE, id=order_gid)["order"]

    def open_case(self, variant_gid: str, *, quantity: int = 1, other_variant: str | None = None,
                  email: str = "mei@example.com", customer_gid: str | None = None,
                  detected_offset: timedelta = timedelta(0), also_short: dict[str, int] | None = None) -> StockoutCase:
        """An order placed while the variant (and any `also_short`, variant → quantity) was sold out, and its case."""
        short = {variant_gid: quantity, **(also_short or {})}
        for gid in short:
            self.set_stock(gid, 0)
        lines = [{"variant_id": gid, "quantity": units} for gid, units in short.items()]
        if other_variant:
            lines.append({"variant_id": other_variant, "quantity": 1})
        body = {"lines": lines, "shipping": "10.00", "email": email}
        if customer_gid:
            body["customer_id"] = customer_gid
        placed = self.emulator.control("POST", f"/shops/{DOMAIN}/orders", **body)
        order_gid = placed["admin_graphql_api_id"]
        order = self.order_state(order_gid)
        session = db.session()
        case = StockoutCase(
            shop_id=self.shop.id, order_gid=order_gid, order_name=placed["name"], customer_gid=customer_gid,
            customer_name="Mei Chen", email=email, currency="CNY", customer_locale="zh-CN",
            order_total=Decimal(placed["total_price"]), status="notified", notified_at=db.utcnow(),
            detected_at=db.utcnow() + detected_offset, choice_deadline_at=db.utcnow() + timedelta(days=3),
        )
        session.add(case)
        session.flush()
        for gid, units in short.items():
            line = next(n for n in order["lineItems"]["nodes"] if n["variant"]["id"] == gid)
            product = next(p for p in self.products() if any(v["id"] == gid for v in p["variants"]["nodes"]))
            session.add(CaseLine(shop_id=self.shop.id, case_id=case.id, line_item_gid=line["id"], variant_gid=gid,
                                 product_gid=product["id"], title=product["title"], quantity_ordered=units,
                                 quantity_short=units,
                                 unit_price=Decimal(line["discountedUnitPriceSet"]["shopMoney"]["amount"])))
        session.commit()
        session.refresh(case)
        return case


def install_shop(emulator: EmulatorServer, **settings) -> Shop:
    """Reset and seed the emulator, install the app there, and record the shop and its token in the app."""
    emulator.control("POST", "/reset")
    emulator.control("POST", "/seed")
    token = emulator.control("POST", f"/shops/{DOMAIN}/install")
    session = db.session()
    shop = Shop(domain=DOMAIN, name="Demo Apparel", contact_email="owner@demo-apparel.example", currency="CNY",
                timezone="Asia/Shanghai", locale="zh-CN", installed_at=db.utcnow())
    session.add(shop)
    session.flush()
    session.add(ShopSettings(shop_id=shop.id, **settings))
    store_grant(shop, TokenGrant(access_token=token["access_token"], scopes=frozenset(token["scope"].split(",")),
                                 expires_at=db.utcnow() + timedelta(seconds=token["expires_in"]),
                                 refresh_token=None, refresh_token_expires_at=None))
    session.commit()
    return shop


def release_scheduled(func_name: str) -> int:
    """Move scheduled jobs of one function onto their queue now, as RQ's scheduler would when their time comes."""
    moved = 0
    for name in queues.QUEUE_NAMES:
        queue = queues.queue(name)
        registry = ScheduledJobRegistry(queue=queue)
        for job in [queue.fetch_job(job_id) for job_id in registry.get_job_ids()]:
            if job is not None and job.func_name == func_name:
                registry.requeue(job)
                moved += 1
    return moved


def case_settings(shop: Shop) -> ShopSettings:
    return db.session().scalars(select(ShopSettings).where(ShopSettings.shop_id == shop.id)).one()
