"""A new case's first notice waits until the shop's intake backlog is worked through, or its patience runs out."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from app import db, queues
from app.models import StockoutCase, WebhookEvent
from app.stockout.settling import BACKLOG_AGE, PATIENCE, notice_may_go
from jobs.choices import prepare_offer, release_held_notices
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


def test_while_the_shortage_still_moves_between_orders_the_notice_waits_even_without_a_backlog():
    quiet = timedelta(seconds=3)
    now = DETECTED + timedelta(seconds=10)
    assert not notice_may_go(now, DETECTED, None, now - timedelta(seconds=2), quiet)
    assert notice_may_go(now, DETECTED, None, now - quiet, quiet)
    assert notice_may_go(DETECTED + PATIENCE, DETECTED, None, DETECTED + PATIENCE, quiet), "patience still ends it"


def _one_case_with_a_backlog(shop, deliver) -> tuple[StockoutCase, WebhookEvent]:
    deliver("products/update", product_event(500, [(900, 800)]))
    deliver("inventory_levels/update", level(800, 0, at(0)))
    deliver("orders/create", order(1, [(900, 1)], at(1), product=500))
    deliver("inventory_levels/update", level(800, -1, at(1)))
    case = db.session().scalars(select(StockoutCase)).one()
    backlog = WebhookEvent(shop_id=shop.id, event_id="still-in-the-backlog", topic="orders/create",
                           received_at=db.utcnow() - timedelta(minutes=2), status="pending", raw_body=b"{}")
    db.session().add(backlog)
    db.session().commit()
    return case, backlog


def test_a_held_notice_goes_through_the_shops_gate_once_the_backlog_is_worked_through(shop, deliver):
    case, backlog = _one_case_with_a_backlog(shop, deliver)
    assert prepare_offer(shop.id, case.id, notify=True) == 0
    scheduled = queues.queue("default").scheduled_job_registry
    assert scheduled.get_job_ids() == [f"notice-gate-{shop.id}"]
    assert not queues.queue("notifications").get_jobs(), "no notice while who is short may still move"

    assert release_held_notices(shop.id) == []
    assert _queued_offers() == []

    backlog.status = "processed"
    db.session().commit()
    assert release_held_notices(shop.id) == [case.id]
    assert _queued_offers() == [f"prepare-offer-{shop.id}-{case.id}-released"]
    assert release_held_notices(shop.id) == [], "released once"


def test_many_held_cases_share_one_gate(shop, deliver):
    case, _backlog = _one_case_with_a_backlog(shop, deliver)
    for _ in range(3):
        prepare_offer(shop.id, case.id, notify=True)
    assert queues.queue("default").scheduled_job_registry.get_job_ids() == [f"notice-gate-{shop.id}"]


def test_a_case_withdrawn_before_its_notice_is_nobodys_news(shop, deliver):
    case, backlog = _one_case_with_a_backlog(shop, deliver)
    backlog.status = "processed"
    deliver("inventory_levels/update", level(800, 0, at(5)))
    assert db.session().get(StockoutCase, case.id).status == "withdrawn"
    assert prepare_offer(shop.id, case.id, notify=True) == 0
    assert "jobs.notify.case_opened" not in [job.func_name for job in queues.queue("notifications").get_jobs()]
    assert not queues.queue("default").scheduled_job_registry.get_job_ids()


def _queued_offers() -> list[str]:
    """Offers the gate let go (the case's first offer job, queued when it opened, is not counted)."""
    return [job.id for job in queues.queue("default").get_jobs() if job.id.endswith("-released")]
