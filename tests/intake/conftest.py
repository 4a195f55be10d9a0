"""Intake test helpers: an installed shop, signed deliveries, the sample payloads."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from app import db
from app.models import Shop
from webhooks.signature import sign

DOMAIN = "intake-test.myshopify.com"
SECRET = "test-client-secret"


def make_shop(domain: str = DOMAIN, installed: bool = True, uninstalled: bool = False) -> int:
    session = db.session()
    now = datetime.now(timezone.utc)
    shop = Shop(domain=domain, name="Intake test", installed_at=now if installed else None,
                uninstalled_at=now if uninstalled else None)
    session.add(shop)
    session.commit()
    return shop.id


@pytest.fixture
def shop_id(app_context) -> int:
    return make_shop()


def webhook_headers(topic: str, body: bytes, *, domain: str = DOMAIN, event_id: str | None = None,
                    secret: str = SECRET, triggered_at: str = "2026-11-25T10:00:00.123456789Z") -> dict:
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": sign(body, secret),
        "X-Shopify-Shop-Domain": domain,
        "X-Shopify-API-Version": "2026-07",
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": triggered_at,
    }


@pytest.fixture
def post_webhook(client):
    def post(topic: str, body: bytes, **options):
        return client.post("/webhooks", data=body, headers=webhook_headers(topic, body, **options))

    return post


@pytest.fixture
def sample(shared_dir):
    def read(name: str) -> bytes:
        return (shared_dir / "shopify" / "webhook-samples" / name).read_bytes()

    return read


def record(topic: str, body: bytes, *, event_id: str | None = None, domain: str = DOMAIN,
           triggered_at: str = "2026-11-25T10:00:00Z"):
    """Record a delivery as the endpoint does, without enqueueing anything."""
    from webhooks.recording import Envelope, record_delivery

    headers = webhook_headers(topic, body, domain=domain, event_id=event_id, triggered_at=triggered_at)
    with db.engine().begin() as connection:
        return record_delivery(connection, Envelope.from_headers(headers), body)


def calls() -> list[str]:
    from app import queues
    from tests.intake.handlers import CALLS_KEY

    return [c.decode() for c in queues.redis().lrange(CALLS_KEY, 0, -1)]
