"""The stack the notification benchmarks run on: a fresh PostgreSQL database, Redis, local SMTP and Twilio, workers."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from cryptography.fernet import Fernet
from redis import Redis
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from app.config import Settings, normalized_database_url  # noqa: E402
from app.db import Base, utcnow  # noqa: E402
from app.migrations import upgrade  # noqa: E402
from app.models import BackInStockSubscription, CaseLine, Shop, ShopSettings, StockoutCase, VariantStock  # noqa: E402
from tests.support.env import environment_for  # noqa: E402
from tests.support.sms_provider import FakeTwilio  # noqa: E402
from tests.support.smtp_server import CaptureSmtpServer, free_port  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
DATABASE = os.environ.get("BENCH_DATABASE", "stockout_bench_helper7")
FROM_NUMBER = "+15005550006"


class TimedSmtpServer(CaptureSmtpServer):
    """Keeps when each message arrived and for whom, not the message itself (10,000 would fill memory)."""

    def __init__(self, port: int, counter) -> None:
        super().__init__(port)
        self.arrivals: list[tuple[float, str]] = []
        self.counter = counter

    def _received(self, session, captured) -> None:
        self.arrivals.append((time.time(), captured.rcpt_tos[0]))
        with self.counter.get_lock():
            self.counter.value += 1


def _serve(port: int, commands, counter) -> None:
    server = TimedSmtpServer(port, counter).start()
    commands.send("ready")
    while True:
        command = commands.recv()
        if command == "arrivals":
            commands.send(list(server.arrivals))
        elif command == "reset":
            server.arrivals = []
            counter.value = 0
            commands.send("ok")
        else:
            server.stop()
            commands.send("ok")
            return


class SmtpProcess:
    """The capture server in a process of its own: neither the plain loop nor the workers share its CPU."""

    def __init__(self) -> None:
        self.host, self.port = "127.0.0.1", free_port()
        self._commands, theirs = multiprocessing.Pipe()
        self._counter = multiprocessing.Value("i", 0)
        self._process = multiprocessing.Process(target=_serve, args=(self.port, theirs, self._counter), daemon=True)

    def __enter__(self) -> SmtpProcess:
        self._process.start()
        assert self._commands.recv() == "ready"
        return self

    def __exit__(self, *exc_info) -> None:
        self._ask("stop")
        self._process.join(timeout=10)

    def _ask(self, command: str):
        self._commands.send(command)
        return self._commands.recv()

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def received(self) -> int:
        return self._counter.value

    def arrivals(self) -> list[tuple[float, str]]:
        """(UNIX time, recipient) of every message since the last reset, in order."""
        return self._ask("arrivals")

    def reset(self) -> None:
        self._ask("reset")


def fresh_database() -> str:
    """An empty, migrated database of its own."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DATABASE}).scalar():
            connection.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    url = make_url(ADMIN_URL).set(database=DATABASE).render_as_string(hide_password=False)
    engine = create_engine(normalized_database_url(url))
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    upgrade(url)
    Redis.from_url(REDIS_URL).flushdb()
    return url


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


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


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
