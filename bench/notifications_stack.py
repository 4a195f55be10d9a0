"""The stack the notification benchmarks run on: a fresh PostgreSQL database, Redis, local SMTP and Twilio, workers."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import insert, text

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.config import Settings  # noqa: E402
from app.db import utcnow  # noqa: E402
from app.models import BackInStockSubscription, CaseLine, Shop, ShopSettings, StockoutCase, VariantStock  # noqa: E402
from tests.support.env import environment_for  # noqa: E402
from tests.support.sms_provider import FakeTwilio  # noqa: E402
from bench import stack  # noqa: E402
from bench.stack import cpu_seconds, peak_rss_mb  # noqa: E402,F401 - used by notifications.py

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
DATABASE = os.environ.get("BENCH_DATABASE", "stockout_bench_helper7")
FROM_NUMBER = "+15005550006"


class SmtpProcess(stack.SmtpProcess):
    """The capture server in a process of its own (bench/stack.py); arrivals as (UNIX time, recipient)."""

    def arrivals(self) -> list[tuple[float, str]]:
        return [(at, to) for at, to, _message_id in super().arrivals()]


def fresh_database() -> str:
    """An empty, migrated database of its own."""
    return stack.fresh_database(DATABASE, REDIS_URL, ADMIN_URL)


def bench_settings(database_url: str, smtp: SmtpProcess, twilio: FakeTwilio, sms_rate: float) -> Settings:
    return Settings(
        env="test", secret_key="bench-secret", app_url="http://127.0.0.1:5000", database_url=database_url,
        redis_url=REDIS_URL, token_encryption_keys=(Fernet.generate_key().decode(),), shopify_api_key="bench",
        shopify_api_secret="bench-secret", log_level="WARNING", email_backend="smtp", smtp_host=smtp.host,
        smtp_port=smtp.port, email_from_address="notices@concierge.example", sms_provider="twilio",
        twilio_account_sid=twilio.account_sid, twilio_auth_token=twilio.auth_token, twilio_from_number=FROM_NUMBER,
        twilio_base_url=twilio.base_url, sms_rate_per_second=sms_rate,
    )


@contextmanager
def workers(settings: Settings, count: int):
    """`count` worker processes on the notifications queue (in-process jobs, so each one's peak memory is its own)."""
    env = environment_for(
        settings, EMAIL_BACKEND="smtp", SMTP_HOST=settings.smtp_host, SMTP_PORT=str(settings.smtp_port),
        EMAIL_FROM_ADDRESS=settings.email_from_address, SMS_PROVIDER="twilio",
        TWILIO_ACCOUNT_SID=settings.twilio_account_sid, TWILIO_AUTH_TOKEN=settings.twilio_auth_token,
        TWILIO_FROM_NUMBER=settings.twilio_from_number, TWILIO_BASE_URL=settings.twilio_base_url,
        SMS_RATE_PER_SECOND=str(settings.sms_rate_per_second), LOG_LEVEL="WARNING",
    )
    command = [sys.executable, "-m", "app", "worker", "--simple", "--queues", "notifications"]
    processes = [subprocess.Popen(command, env=env, cwd=REPO) for _ in range(count)]
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def seed_shop(session, *, domain: str, sms: bool) -> Shop:
    shop = Shop(domain=domain, name="Bench Teapots", contact_email="hello@bench.example",
                currency="USD", installed_at=utcnow())
    session.add(shop)
    session.flush()
    # The product's defaults, daily cap included; quiet hours off so the benchmark can run at any hour.
    session.add(ShopSettings(shop_id=shop.id, quiet_hours_start=0, quiet_hours_end=0, sms_enabled=sms,
                             sender_name="Bench Teapots"))
    session.commit()
    return shop


def seed_cases(session, shop: Shop, count: int) -> list[int]:
    ids = []
    for n in range(count):
        case = StockoutCase(shop_id=shop.id, order_gid=f"gid://shopify/Order/{n}", order_name=f"#{1000 + n}",
                            customer_name="Ada Lovelace", email=f"buyer{n}@example.com", customer_locale="en",
                            currency="USD", order_total=Decimal("100.00"), status="open", reason="supplier_delay")
        session.add(case)
        session.flush()
        session.add(CaseLine(shop_id=shop.id, case_id=case.id, line_item_gid=f"gid://shopify/LineItem/{n}",
                             variant_gid="gid://shopify/ProductVariant/11", title="Stoneware Teapot",
                             quantity_ordered=1, quantity_short=1, unit_price=Decimal("40.00")))
        ids.append(case.id)
    session.commit()
    return ids


def seed_sign_ups(session, shop: Shop, variant: str, count: int, *, phones: bool) -> list[int]:
    """Sign-ups for one variant, by e-mail (or SMS only), in bulk."""
    now = utcnow()
    session.execute(insert(VariantStock), [dict(shop_id=shop.id, variant_gid=variant, title="Stoneware Teapot",
                                                available=count, tracked=True, levels={})])
    tail = variant.rsplit("/", 1)[-1]
    rows = [
        dict(shop_id=shop.id, variant_gid=variant, email=None if phones else f"fan{tail}-{n}@example.com",
             phone=f"+1415555{n:04d}" if phones else None, locale="zh-CN" if n % 4 == 0 else "en",
             consent_at=now, consent_source="bench", status="waiting", created_at=now, updated_at=now)
        for n in range(count)
    ]
    session.execute(insert(BackInStockSubscription), rows)
    session.commit()
    return list(session.scalars(
        text("SELECT id FROM back_in_stock_subscriptions WHERE variant_gid = :v ORDER BY id").bindparams(v=variant)
    ))
