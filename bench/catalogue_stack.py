"""The stack the catalogue benchmarks run on: a fresh database, Redis, the store emulator, the web app, workers."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from redis import Redis

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.config import Settings  # noqa: E402
from tests.conftest import SHARED_DIR  # noqa: E402
from tests.stockout.live import CLIENT_ID, CLIENT_SECRET, SHOP, Store  # noqa: E402
from tests.support.env import environment_for  # noqa: E402
from bench import stack  # noqa: E402
from bench.stack import free_port, percentile, wait_until  # noqa: E402,F401 - catalogue.py imports them here

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6")
DATABASE = os.environ.get("BENCH_DATABASE", "stockout_bench_helper6")


def fresh_database() -> str:
    """An empty, migrated database of its own, and an empty Redis database."""
    return stack.fresh_database(DATABASE, REDIS_URL, ADMIN_URL)


def bench_settings(database_url: str, store_url: str, app_url: str) -> Settings:
    return Settings(
        env="test", secret_key="bench-secret", app_url=app_url, database_url=database_url, redis_url=REDIS_URL,
        token_encryption_keys=(Fernet.generate_key().decode(),), shopify_api_key=CLIENT_ID,
        shopify_api_secret=CLIENT_SECRET, shopify_api_base_url=store_url, shopify_shared_dir=str(SHARED_DIR),
        log_level="WARNING",
    )


def open_store(**config) -> Store:
    return Store(SHARED_DIR, **config)


@contextmanager
def web(settings: Settings, port: int):
    """The app under gunicorn, as in production (its webhook intake answers the emulator)."""
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "8", "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", "app:create_app()"]
    process = subprocess.Popen(command, env=environment_for(settings), cwd=REPO)
    try:
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/health"), 60, "the web app did not start")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def workers(settings: Settings, count: int):
    """`count` RQ worker processes on every queue, forking a work-horse per job as in production."""
    command = [sys.executable, "-m", "app", "worker"]
    processes = [subprocess.Popen(command, env=environment_for(settings), cwd=REPO) for _ in range(count)]
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def add_products(store: Store, count: int, units: int, prefix: str) -> list[tuple[int, int, int]]:
    """Single-variant products stocked at the shop's first location and listed: (product, variant, item) ids."""
    from emulator.model import InventoryItem, InventoryLevel, Product, Variant

    made = []
    with store.emulator.store.lock:
        inner = store.emulator.store
        shop = inner.shop(SHOP)
        location = next(iter(shop.locations))
        now = inner.now() - timedelta(days=30)
        for n in range(count):
            product = Product(id=inner.new_id(), title=f"{prefix} {n + 1}", handle=f"{prefix.lower()}-{n + 1}",
                              vendor="Bench", product_type="Bench", created_at=now, updated_at=now, tags=["bench"])
            variant = Variant(id=inner.new_id(), product_id=product.id, inventory_item_id=inner.new_id(),
                              title="Default Title", sku=f"{prefix.upper()}-{n + 1}", price=Decimal("25.00"),
                              options=[], position=1, created_at=now, updated_at=now)
            product.variant_ids.append(variant.id)
            product.published_at[shop.online_store().id] = now
            shop.products[product.id], shop.variants[variant.id] = product, variant
            shop.inventory_items[variant.inventory_item_id] = InventoryItem(variant.inventory_item_id, variant.id,
                                                                            variant.sku, now, now)
            shop.levels[(variant.inventory_item_id, location)] = InventoryLevel(variant.inventory_item_id, location,
                                                                                units, now, now)
            made.append((product.id, variant.id, variant.inventory_item_id))
    return made


def set_available(store: Store, item_id: int, available: int) -> None:
    store.control("POST", store.shop_path("/inventory"), inventory_item_id=item_id, available=available)


def queues_idle(redis: Redis) -> bool:
    """No job waiting or running on any queue."""
    from rq import Queue
    from rq.registry import StartedJobRegistry

    for name in ("webhooks", "notifications", "default", "low"):
        queue = Queue(name, connection=redis)
        if queue.count or StartedJobRegistry(name, connection=redis).count:
            return False
    return True


def settle(store: Store, redis: Redis, timeout: float = 120) -> None:
    """Until the emulator has nothing to send and the workers nothing to do, twice in a row."""
    def quiet() -> bool:
        return store.emulator.dispatcher.wait_idle(0.2) and queues_idle(redis)

    wait_until(lambda: quiet() and (time.sleep(0.5) or quiet()), timeout, "the stack did not settle")


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1, trust_env=False).status_code < 500
    except httpx.HTTPError:
        return False
