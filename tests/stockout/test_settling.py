"""A new case's first notice waits until the shop's intake backlog is worked through, or its patience runs out."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app import db, queues
from app.models import StockoutCase, WebhookEvent
from app.stockout.settling import BACKLOG_AGE, PATIENCE, notice_may_go
from jobs.choices import prepare_offer
from tests.stockout.factories import at, level, order, product_event

DETECTED = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


def test_with_nothing_waiting_in_the_intake_the_notice_goes():
    assert notice_may_go(DETECTED, DETECTED, None)


def test_fresh_arrivals_are_traffic_not_a_backlog():
    now = DETECTED + timedelta(seconds=1)
    assert notice_may_go(now, DETECTED, now - BACKLOG_AGE + timedelta(milliseconds=1))
    assert not notice_may_go(now, DETECTED, now - BACKLOG_AGE)


def test_a_backlog_holds_the_notice_until_patience_runs_out():
    backlog_since = DETECTED - timedelta(minutes=3)
    assert not notice_may_go(DETECTED + PATIENCE - timedelta(seconds=1), DETECTED, backlog_since)
    assert notice_may_go(DETECTED + PATIENCE, DETECTED, backlog_since)


def test_the_job_comes_back_later_while_the_shop_has_a_backlog(shop, deliver):
    deliver("products/update", product_event(500, [(900, 800)]))
    deliver("inventory_levels/update", level(800, 0, at(0)))
    deliver("orders/create", order(1, [(900, 1)], at(1), product=500))
    deliver("inventory_levels/update", level(800, -1, at(1)))
    case = db.session().scalars(select(StockoutCase)).one()
    db.session().add(WebhookEvent(shop_id=shop.id, event_id="still-in-the-backlog", topic="orders/create",
                                  received_at=db.utcnow() - timedelta(minutes=2), status="pending", raw_body=b"{}"))
    db.session().commit()
    assert prepare_offer(shop.id, case.id, notify=True) == 0
    registry = queues.queue("default").scheduled_job_registry
    assert f"prepare-offer-{shop.id}-{case.id}-1" in registry.get_job_ids()
    assert not queues.queue("notifications").get_jobs(), "no notice while who is short may still move"
