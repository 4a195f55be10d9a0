"""The intake benchmark's stage: a fresh database with installed shops, signed requests, gunicorn and workers."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.config import DEFAULT_SHARED_DIR, REPO_ROOT, normalized_database_url
from app.models import Shop
from bench.intake_load import raw_request
from webhooks.signature import sign

SECRET = "bench-client-secret"


def shared_dir() -> Path:
    return Path(os.environ.get("SHOPIFY_SHARED_DIR", DEFAULT_SHARED_DIR))


def environment(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "APP_ENV": "bench",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "SHOPIFY_API_KEY": "bench-client-id",
        "SHOPIFY_API_SECRET": SECRET,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SHOPIFY_SHARED_DIR": str(shared_dir()),
        "LOG_LEVEL": "WARNING",
    }


def fresh_database(database_url: str, shops: int) -> list[str]:
    """Create the bench database if needed, migrate it from scratch, and install `shops` shops."""
    from app.db import Base
    from app.migrations import upgrade

    url = make_url(normalized_database_url(database_url))
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}).scalar():
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(database_url)
    domains = [f"bench-{n:03d}.myshopify.com" for n in range(shops)]
    with Session(engine) as session:
        now = datetime.now(timezone.utc)
        session.add_all(Shop(domain=domain, name=domain, installed_at=now) for domain in domains)
        session.commit()
    engine.dispose()
    return domains


def empty_events(database_url: str) -> None:
    """Everything but the shops, so each phase starts from the same state."""
    from app.db import Base

    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name not in ("shops", "shop_settings"))
    engine = create_engine(normalized_database_url(database_url))
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
    engine.dispose()


class Requests:
    """Signed orders/create deliveries built from Shopify's sample, each a distinct order and event."""

    def __init__(self, domains: list[str], host: str):
        sample = json.loads((shared_dir() / "shopify" / "webhook-samples" / "orders-create.json").read_bytes())
        self.sample, self.domains, self.host, self.count = sample, domains, host, 0

    def make(self, event_id: str | None = None) -> tuple[str, bytes]:
        self.count += 1
        order_id = 9_000_000_000_000 + self.count
        payload = dict(self.sample, id=order_id, admin_graphql_api_id=f"gid://shopify/Order/{order_id}")
        # Compact and escaped like Shopify's own bodies, so the signature is over bytes Shopify would send.
        body = json.dumps(payload, separators=(",", ":")).replace("/", "\\/").encode()
        event_id = event_id or str(uuid.uuid4())
        headers = {"Content-Type": "application/json", "X-Shopify-Topic": "orders/create",
                   "X-Shopify-Hmac-Sha256": sign(body, SECRET),
                   "X-Shopify-Shop-Domain": self.domains[self.count % len(self.domains)],
                   "X-Shopify-API-Version": "2026-07", "X-Shopify-Webhook-Id": str(uuid.uuid4()),
                   "X-Shopify-Event-Id": event_id, "X-Shopify-Triggered-At": "2026-11-25T10:00:00.000Z"}
        return event_id, raw_request(self.host, "/webhooks", headers, body)

    def batch(self, n: int) -> tuple[list[str], list[bytes]]:
        made = [self.make() for _ in range(n)]
        return [m[0] for m in made], [m[1] for m in made]


def start_gunicorn(target: str, port: int, workers: int, threads: int, env: dict) -> subprocess.Popen:
    """gunicorn with the Procfile's flags, on loopback."""
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
               "--bind", f"127.0.0.1:{port}", "--timeout", "30", "--graceful-timeout", "20",
               "--access-logfile", "-", target]
    process = subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.post(f"http://127.0.0.1:{port}/webhooks", content=b"{}", timeout=2)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"gunicorn {target} did not answer on port {port}")


def start_workers(count: int, env: dict) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-m", "app", "worker", "--queues", "webhooks", "--name", f"bench-{n}"],
                             env=env, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True) for n in range(count)]


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=25)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
