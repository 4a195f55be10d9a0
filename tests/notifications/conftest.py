"""A real SMTP server and a Twilio-speaking server on 127.0.0.1, an app wired to them, and a shop with a case."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from rq.job import Job

from app import db, queues
from app.models import CaseLine, Shop, ShopSettings, StockoutCase
from tests.conftest import make_settings
from tests.support.sms_provider import FakeTwilio
from tests.support.smtp_server import CaptureSmtpServer

FROM_NUMBER = "+15005550006"


@pytest.fixture(scope="session")
def smtp_server():
    with CaptureSmtpServer() as server:
        yield server


@pytest.fixture(scope="session")
def twilio_server():
    with FakeTwilio() as server:
        yield server


@pytest.fixture
def smtp(smtp_server):
    """The session's SMTP server, up and empty (starting servers per test would cost seconds)."""
    smtp_server.start()
    smtp_server.messages.clear()
    smtp_server.rejected.clear()
    smtp_server.drop_after = None
    return smtp_server


@pytest.fixture
def twilio(twilio_server):
    """The session's Twilio-speaking server, empty and healthy."""
    twilio_server.messages.clear()
    twilio_server.unsubscribed.clear()
    twilio_server.outage = False
    twilio_server.throttled = twilio_server.requests = 0
    return twilio_server


@pytest.fixture
def settings(migrated_database, redis_url, smtp, twilio):
    return make_settings(
        migrated_database, redis_url,
        email_backend="smtp", smtp_host=smtp.host, smtp_port=smtp.port,
        email_from_address="notices@concierge.example",
        sms_provider="twilio", twilio_account_sid=twilio.account_sid, twilio_auth_token=twilio.auth_token,
        twilio_from_number=FROM_NUMBER, twilio_base_url=twilio.base_url, sms_rate_per_second=50.0,
    )


def add_shop(domain: str = "teapots.myshopify.com", *, locale: str = "en", timezone: str = "UTC", **settings) -> Shop:
    session = db.session()
    shop = Shop(domain=domain, name="Juniper Teapots", contact_email="hello@juniper.example", currency="USD",
                locale=locale, timezone=timezone, installed_at=db.utcnow())
    session.add(shop)
    session.flush()
    # Quiet hours off unless a test asks: these tests run on the real clock, at any hour.
    values = dict(quiet_hours_start=0, quiet_hours_end=0, sender_name="Juniper & Clay")
    values.update(settings)
    session.add(ShopSettings(shop_id=shop.id, **values))
    session.commit()
    return shop


def add_case(shop: Shop, *, order_number: int = 1001, **fields) -> StockoutCase:
    session = db.session()
    values = dict(
        shop_id=shop.id, order_gid=f"gid://shopify/Order/{order_number}", order_name=f"#{order_number}",
        customer_gid="gid://shopify/Customer/5", customer_name="Ada Lovelace", email="Ada@Example.com",
        phone="+14155550123", customer_locale="en", currency="USD", order_total=Decimal("100.00"),
        status="open", reason="supplier_delay", choice_deadline_at=db.utcnow() + timedelta(days=3),
    )
    values.update(fields)
    case = StockoutCase(**values)
    session.add(case)
    session.flush()
    session.add(CaseLine(
        shop_id=shop.id, case_id=case.id, line_item_gid=f"gid://shopify/LineItem/{order_number}",
        variant_gid="gid://shopify/ProductVariant/11", product_gid="gid://shopify/Product/31",
        title="Stoneware Teapot", quantity_ordered=1, quantity_short=1, unit_price=Decimal("40.00"),
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


def scheduled_jobs() -> dict[str, float]:
    """The notification jobs waiting on RQ's schedule, with the UNIX time each is due."""
    registry = queues.queue("notifications").scheduled_job_registry
    return {job_id: registry.get_scheduled_time(job_id).timestamp() for job_id in registry.get_job_ids()}


def release_scheduled() -> int:
    """Move every scheduled job (retries included) to its queue now, as the scheduler will when they are due."""
    queue = queues.queue("notifications")
    registry = queue.scheduled_job_registry
    moved = 0
    for job_id in registry.get_job_ids():
        job = Job.fetch(job_id, connection=queues.redis(), serializer=queue.serializer)
        registry.remove(job)
        queue.enqueue_job(job)
        moved += 1
    return moved
