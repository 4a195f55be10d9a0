"""app/uninstalled: tokens forgotten, unsent messages and scheduled jobs cancelled, data kept for shop/redact."""

from __future__ import annotations

from datetime import timedelta

from rq.job import Job

from app import db, queues
from app.models import Notification, Shop, StockoutCase
from jobs.handlers.lifecycle import cancel_scheduled_jobs, on_app_uninstalled
from jobs.handling import Delivery
from tests.shopify.conftest import utcnow


def make_shop(domain: str, **fields) -> Shop:
    shop = Shop(
        domain=domain,
        installed_at=utcnow() - timedelta(days=3),
        access_token_encrypted="encrypted-access",
        access_token_expires_at=utcnow() + timedelta(hours=1),
        refresh_token_encrypted="encrypted-refresh",
        refresh_token_expires_at=utcnow() + timedelta(days=90),
        **fields,
    )
    db.session().add(shop)
    db.session().flush()
    return shop


def notification(shop: Shop, key: str, status: str) -> Notification:
    row = Notification(shop_id=shop.id, channel="email", recipient="a@example.com", kind="case_notice",
                       locale="en", idempotency_key=key, status=status)
    db.session().add(row)
    return row


def deliver(handler, shop: Shop, topic: str, triggered_at=None, payload=None) -> Delivery:
    delivery = Delivery(shop.id, topic, f"event-{topic}-{shop.id}", "webhook-1", triggered_at, payload or {})
    handler(delivery)
    db.session().commit()
    for callback in delivery.after_commit:
        callback()
    return delivery


def test_uninstall_stops_all_work_and_forgets_the_tokens(app_context):
    shop, other = make_shop("gone.myshopify.com"), make_shop("stays.myshopify.com")
    db.session().add(StockoutCase(shop_id=shop.id, order_gid="gid://shopify/Order/1"))
    queued, scheduled, sent = (notification(shop, f"k{i}", s) for i, s in enumerate(("queued", "scheduled", "sent")))
    others = notification(other, "k9", "queued")
    db.session().commit()
    mine = queues.enqueue("default", "jobs.shop_facts.refresh_shop_facts", shop_id=shop.id, delay=timedelta(hours=1))
    theirs = queues.enqueue("default", "jobs.shop_facts.refresh_shop_facts", shop_id=other.id,
                            delay=timedelta(hours=1))
    when = utcnow()

    deliver(on_app_uninstalled, shop, "app/uninstalled", triggered_at=when)

    db.session().expire_all()
    assert shop.uninstalled_at == when and not shop.is_installed
    assert shop.access_token_encrypted is None and shop.refresh_token_encrypted is None
    assert shop.access_token_expires_at is None and shop.refresh_token_expires_at is None
    assert [queued.status, scheduled.status, sent.status, others.status] == ["cancelled", "cancelled", "sent", "queued"]
    assert db.session().query(StockoutCase).filter_by(shop_id=shop.id).count() == 1
    connection = queues.redis()
    serializer = queues.queue("default").serializer
    assert Job.fetch(mine.id, connection=connection, serializer=serializer).get_status() == "canceled"
    assert Job.fetch(theirs.id, connection=connection, serializer=serializer).get_status() == "scheduled"
    assert other.access_token_encrypted == "encrypted-access"


def test_a_stale_uninstall_after_a_reinstall_changes_nothing(app_context):
    shop = make_shop("back.myshopify.com")
    db.session().commit()

    deliver(on_app_uninstalled, shop, "app/uninstalled", triggered_at=shop.installed_at - timedelta(hours=1))

    db.session().expire_all()
    assert shop.is_installed and shop.access_token_encrypted == "encrypted-access"


def test_a_repeated_uninstall_keeps_the_first_time(app_context):
    shop = make_shop("twice.myshopify.com")
    db.session().commit()
    first = utcnow()

    deliver(on_app_uninstalled, shop, "app/uninstalled", triggered_at=first)
    deliver(on_app_uninstalled, shop, "app/uninstalled", triggered_at=first + timedelta(minutes=5))

    db.session().expire_all()
    assert shop.uninstalled_at == first
    assert cancel_scheduled_jobs(shop.id) == 0
