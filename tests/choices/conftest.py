"""Fixtures for the choice tests: a shop with a stockout case, and the store emulator with the app pointed at it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from redis import Redis

from app import create_app, db
from app.models import CaseLine, Shop, ShopSettings, StockoutCase
from emulator import create_app as create_emulator
from jobs.worker import make_worker
from tests.choices.emulated import EmulatorServer, Store, install_shop
from tests.conftest import _empty_tables, make_settings


def add_shop(domain: str = "choices-test.myshopify.com", **settings) -> Shop:
    session = db.session()
    shop = Shop(domain=domain, name="Choice Test Shop", contact_email="help@choices.example", currency="USD",
                installed_at=db.utcnow())
    session.add(shop)
    session.flush()
    session.add(ShopSettings(shop_id=shop.id, **settings))
    session.commit()
    return shop


def add_case(shop: Shop, *, order_gid: str = "gid://shopify/Order/1", unit_price: str = "40.00", quantity: int = 1,
             variant_gid: str = "gid://shopify/ProductVariant/11", line_item_gid: str = "gid://shopify/LineItem/21",
             **fields) -> StockoutCase:
    session = db.session()
    values = dict(
        shop_id=shop.id, order_gid=order_gid, order_name="#1001", customer_gid="gid://shopify/Customer/5",
        customer_name="Ada Lovelace", email="ada@example.com", currency="USD", order_total=Decimal("100.00"),
        status="notified", notified_at=db.utcnow(), choice_deadline_at=db.utcnow() + timedelta(days=3),
    )
    values.update(fields)
    case = StockoutCase(**values)
    session.add(case)
    session.flush()
    session.add(CaseLine(
        shop_id=shop.id, case_id=case.id, line_item_gid=line_item_gid, variant_gid=variant_gid,
        product_gid="gid://shopify/Product/31", title="Linen Shirt", quantity_ordered=quantity,
        quantity_short=quantity, unit_price=Decimal(unit_price),
    ))
    session.commit()
    session.refresh(case)
    return case


@pytest.fixture
def shop(app_context) -> Shop:
    return add_shop()


@pytest.fixture
def case(shop) -> StockoutCase:
    return add_case(shop)


@pytest.fixture(scope="session")
def emulator(shared_dir):
    server = EmulatorServer(create_emulator({
        "SHOPIFY_SHARED_DIR": str(shared_dir),
        "APP": {"client_id": "test-client-id", "client_secret": "test-client-secret"},
    }))
    yield server
    server.close()


@pytest.fixture
def store_app(migrated_database, redis_url, emulator):
    """The app pointed at the emulator (SHOPIFY_API_BASE_URL), on the test database and Redis."""
    app = create_app(make_settings(migrated_database, redis_url, shopify_api_base_url=emulator.url))
    yield app
    _empty_tables(app)
    Redis.from_url(redis_url).flushdb()


@pytest.fixture
def store(store_app, emulator):
    with store_app.app_context():
        yield Store(emulator, install_shop(emulator))


@pytest.fixture
def work(store_app):
    """Run queued jobs to completion in-process; returns how many finished."""
    def run() -> int:
        worker = make_worker(store_app, simple=True)
        before = sum(q.finished_job_registry.count for q in worker.queues)
        worker.work(burst=True, with_scheduler=False)
        return sum(q.finished_job_registry.count for q in worker.queues) - before

    return run
