"""Server time of each admin page with 10,000 cases and 2,000 products: seeds a bench database, then measures.

    .venv/bin/python -m bench.admin [--cases 10000] [--products 2000] [--orders 80000] [--requests 40]

Uses PostgreSQL database `stockout_bench_admin` next to TEST_POSTGRES_URL (or BENCH_DATABASE_URL) and Redis
BENCH_REDIS_URL (default db 9). Prints p50 / p95 / max per page in milliseconds; exits 1 if a p95 is over budget.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from app import create_app, db
from app.admin.session_token import mint_session_token
from app.config import Settings, normalized_database_url
from app.db import Base
from app.migrations import upgrade
from app.models import ProductState, Shop, StockoutCase
from bench.admin_seed import seed_shop

BUDGET_MS = 200.0
SHOP_DOMAIN = "bench-ceramics.myshopify.com"


def bench_database_url() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    admin_url = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = 'stockout_bench_admin'")).scalar():
            connection.execute(text('CREATE DATABASE "stockout_bench_admin"'))
    admin.dispose()
    return make_url(admin_url).set(database="stockout_bench_admin").render_as_string(hide_password=False)


def fresh_schema(database_url: str) -> None:
    engine = create_engine(normalized_database_url(database_url))
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    upgrade(database_url)


def make_bench_app(database_url: str):
    settings = Settings(
        env="test", secret_key="bench-secret-key", database_url=database_url,
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
        token_encryption_keys=(Fernet.generate_key().decode(),), shopify_api_key="bench-client-id",
        shopify_api_secret="bench-client-secret-of-thirty-two-bytes", log_level="WARNING",
    )
    return create_app(settings)


def seed(app, products: int, cases: int, orders: int) -> int:
    with app.app_context():
        cipher = app.extensions["stockout.cipher"]
        shop = Shop(domain=SHOP_DOMAIN, name="山野手作陶瓷", installed_at=db.utcnow(), timezone="Asia/Shanghai",
                    currency="CNY", locale="zh-CN", access_token_encrypted=cipher.encrypt("shpat_bench"))
        db.session().add(shop)
        db.session().commit()
        started = time.perf_counter()
        seed_shop(db.session(), shop.id, db.utcnow(), products=products, cases=cases, orders=orders)
        db.session().execute(text("ANALYZE"))
        db.session().commit()
        print(f"seeded {products} products, {cases} cases, {orders} orders in {time.perf_counter() - started:.1f} s")
        return shop.id


def pages(app, shop_id: int) -> dict[str, str]:
    with app.app_context():
        session = db.session()
        case_id = session.scalar(select(StockoutCase.id).where(StockoutCase.shop_id == shop_id,
                                                               StockoutCase.choice.is_not(None)).limit(1))
        product_id = session.scalar(select(ProductState.id).where(ProductState.shop_id == shop_id,
                                                                  ProductState.state != "normal").limit(1))
    return {
        "overview": "/app/",
        "cases": "/app/cases",
        "cases, open, searched": "/app/cases?status=open&q=%23105",
        "cases, page 150": "/app/cases?page=150",
        "case": f"/app/cases/{case_id}",
        "products": "/app/products",
        "products, all": "/app/products?state=all&page=30",
        "product": f"/app/products/{product_id}",
        "settings": "/app/settings",
        "reports": "/app/reports",
        "reports CSV (fetch)": "/app/api/reports/monthly.csv",
        "at-risk CSV (fetch)": "/app/api/reports/at_risk.csv",
    }


def measure(app, paths: dict[str, str], requests: int) -> list[tuple[str, float, float, float]]:
    client = app.test_client()
    settings = app.config["SETTINGS"]
    results = []
    for name, path in paths.items():
        timings = []
        for attempt in range(requests + 3):
            token = mint_session_token(SHOP_DOMAIN, client_id=settings.shopify_api_key,
                                       secret=settings.shopify_api_secret, now=db.utcnow())
            separator = "&" if "?" in path else "?"
            started = time.perf_counter()
            if "/api/" in path:
                response = client.get(path, headers={"Authorization": f"Bearer {token}"})
            else:
                response = client.get(f"{path}{separator}shop={SHOP_DOMAIN}&id_token={token}")
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
            if attempt >= 3:
                timings.append(elapsed)
        timings.sort()
        p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
        results.append((name, statistics.median(timings), p95, timings[-1]))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=2_000)
    parser.add_argument("--orders", type=int, default=80_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args(argv)
    database_url = bench_database_url()
    fresh_schema(database_url)
    app = make_bench_app(database_url)
    shop_id = seed(app, args.products, args.cases, args.orders)
    results = measure(app, pages(app, shop_id), args.requests)
    print(f"\n{'page':<24}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name, p50, p95, worst in results:
        flag = "" if p95 < BUDGET_MS else "  over budget"
        print(f"{name:<24}{p50:>9.1f}{p95:>9.1f}{worst:>9.1f}{flag}")
    return 0 if all(p95 < BUDGET_MS for _, _, p95, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
