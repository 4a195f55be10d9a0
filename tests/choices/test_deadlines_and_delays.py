"""Deadlines and delays at the database level: the default after silence, consent after a long delay."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app import db, queues
from app.choices import choosing, deadlines, links
from app.models import CaseEvent, StockoutCase
from jobs import back_in_stock as bis_jobs
from jobs import choices as choice_jobs
from tests.choices.conftest import add_case, add_shop


def _queued(queue: str = "default") -> list[tuple[str, tuple]]:
    return [(job.func_name, tuple(job.args)) for job in queues.queue(queue).jobs]


def _scheduled(queue: str = "default") -> list[str]:
    registry = queues.queue(queue).scheduled_job_registry
    return sorted(registry.get_job_ids())


def _fresh(case) -> StockoutCase:
    db.session().expire_all()
    return db.session().get(StockoutCase, case.id)


def _events(case, kind: str) -> list[dict]:
    return list(db.session().scalars(
        select(CaseEvent.detail).where(CaseEvent.case_id == case.id, CaseEvent.kind == kind)))


def test_after_the_deadline_the_shops_default_applies_once_and_is_not_taken_for_agreement(shop):
    past = add_case(shop, choice_deadline_at=db.utcnow() - timedelta(minutes=1))
    future = add_case(shop, order_gid="gid://shopify/Order/2")
    assert choice_jobs.apply_default(shop.id, past.id) == "wait"
    assert choice_jobs.apply_default(shop.id, past.id) is None
    assert choice_jobs.apply_default(shop.id, future.id) is None
    past = _fresh(past)
    assert past.choice == "wait" and past.delay_agreed_at is None
    assert _events(past, "choice_made") == [{"option": "wait", "offer": "wait", "source": "default", "previous": None}]
    assert _fresh(future).choice is None
    assert _queued() == [("jobs.choices.carry_out", (shop.id, past.id))]


def test_a_shop_that_refunds_by_default_refunds_the_silent(app_context):
    shop = add_shop(default_after_deadline="refund")
    case = add_case(shop, choice_deadline_at=db.utcnow() - timedelta(seconds=1))
    assert choice_jobs.apply_default(shop.id, case.id) == "refund"


def test_a_choice_made_just_before_the_deadline_job_wins(shop, case):
    choosing.choose(shop.id, case.id, "refund", expected=None)
    case.choice_deadline_at = db.utcnow() - timedelta(seconds=1)
    db.session().commit()
    assert choice_jobs.apply_default(shop.id, case.id) is None
    assert _fresh(case).choice == "refund"


def test_the_deadline_is_scheduled_and_the_sweep_catches_missed_ones(shop):
    case = add_case(shop, choice_deadline_at=None)
    due = deadlines.schedule_deadline(shop.id, case.id, now=db.utcnow())
    assert timedelta(days=3) - timedelta(seconds=5) < due - db.utcnow() <= timedelta(days=3)
    assert _scheduled() == [f"choice-deadline-{shop.id}-{case.id}"]
    missed = add_case(shop, order_gid="gid://shopify/Order/9", choice_deadline_at=db.utcnow() - timedelta(hours=2))
    unset = add_case(shop, order_gid="gid://shopify/Order/10", choice_deadline_at=None,
                     notified_at=db.utcnow() - timedelta(days=1))
    assert choice_jobs.sweep_deadlines() == 2
    assert _queued() == [("jobs.choices.apply_default", (shop.id, missed.id))]
    assert _fresh(unset).choice_deadline_at == _fresh(unset).notified_at + timedelta(days=3)
    assert f"choice-deadline-{shop.id}-{unset.id}" in _scheduled()


def test_a_first_short_delay_is_told_without_asking(shop, case):
    case.restock_date = date(2026, 12, 1)
    db.session().commit()
    assert choice_jobs.restock_date_slipped(shop.id, case.id, "2026-12-01", "2026-12-20") is False
    case = _fresh(case)
    assert case.delay_count == 1 and case.delay_consent_due_at is None and case.restock_date == date(2026, 12, 20)
    assert [name for name, _ in _queued("notifications")] == ["jobs.notify.restock_date_changed"]
    assert [name for name, _ in _queued()] == ["jobs.catalogue.apply_product"]
    assert _events(case, "delay_notified")[0]["needs_consent"] is False


def test_a_second_delay_needs_a_yes_and_silence_ends_in_a_refund(shop, case):
    choice_jobs.restock_date_slipped(shop.id, case.id, "2026-12-01", "2026-12-10")
    assert choice_jobs.restock_date_slipped(shop.id, case.id, "2026-12-10", "2027-02-01") is True
    case = _fresh(case)
    assert case.delay_count == 2 and case.delay_consent_due_at is not None
    assert case.choice_deadline_at == case.delay_consent_due_at
    assert f"delay-consent-{shop.id}-{case.id}-2" in _scheduled()
    assert choice_jobs.refund_without_consent(shop.id, case.id) is None
    case.delay_consent_due_at = db.utcnow() - timedelta(seconds=1)
    db.session().commit()
    assert choice_jobs.refund_without_consent(shop.id, case.id) == "refund"
    assert _events(case, "choice_made")[-1]["source"] == "delay_no_consent"


def test_a_yes_on_the_page_keeps_the_customer_waiting(client, shop, case):
    choosing.choose(shop.id, case.id, "wait", expected=None)
    choice_jobs.restock_date_slipped(shop.id, case.id, "2026-12-01", None)
    case = _fresh(case)
    assert case.choice == "wait" and case.delay_agreed_at is None and case.delay_consent_due_at is not None
    token = links.choice_token(shop.id, case.id)
    page = client.get(f"/c/{token}/cancel").get_data(as_text=True)
    assert "Cancel and refund me" in page and "No, I&#39;ll keep waiting" in page
    form_token = links.form_token(token)
    assert client.post(f"/c/{token}/agree", data={"form_token": form_token}).status_code == 303
    case = _fresh(case)
    assert case.delay_agreed_at is not None and case.delay_consent_due_at is None
    case.choice_deadline_at = db.utcnow() - timedelta(seconds=1)
    db.session().commit()
    assert choice_jobs.refund_without_consent(shop.id, case.id) is None
    assert choice_jobs.apply_default(shop.id, case.id) is None
    assert _fresh(case).choice == "wait"


def test_the_one_tap_cancel_refunds_a_waiting_customer(client, shop, case):
    choosing.choose(shop.id, case.id, "wait", expected=None)
    token = links.choice_token(shop.id, case.id)
    form = {"form_token": links.form_token(token), "expected": "wait", "offer": "refund"}
    assert client.post(f"/c/{token}/choose", data=form).status_code == 303
    assert _fresh(case).choice == "refund"
    assert client.get(f"/c/{token}/cancel").status_code == 303


def test_waiting_orders_are_served_in_the_order_their_cases_opened(shop):
    variant = "gid://shopify/ProductVariant/11"
    later = add_case(shop, order_gid="gid://shopify/Order/2", detected_at=db.utcnow() + timedelta(minutes=5))
    first = add_case(shop, order_gid="gid://shopify/Order/3", quantity=2)
    refunded = add_case(shop, order_gid="gid://shopify/Order/4", detected_at=db.utcnow() - timedelta(hours=1))
    choosing.choose(shop.id, refunded.id, "refund", expected=None)
    assert bis_jobs.stock_returned(shop.id, variant, -2)["orders_served"] == []
    assert bis_jobs.stock_returned(shop.id, variant, -1)["orders_served"] == [first.id]
    assert bis_jobs.stock_returned(shop.id, variant, 0)["orders_served"] == [later.id]
    assert bis_jobs.stock_returned(shop.id, variant, 4)["orders_served"] == []
    assert [args[1] for name, args in _queued("notifications")] == [first.id, later.id]
    assert _fresh(first).status == "restocked"


def test_the_sweep_carries_out_a_choice_whose_job_was_lost(shop):
    case = add_case(shop)
    choosing.choose(shop.id, case.id, "refund", expected=None)
    queues.queue("default").empty()
    assert choice_jobs.sweep_deadlines() == 0
    case = _fresh(case)
    case.chosen_at = db.utcnow() - timedelta(minutes=11)
    db.session().commit()
    assert choice_jobs.sweep_deadlines() == 1
    assert _queued() == [("jobs.choices.carry_out", (shop.id, case.id))]
    db.session().add(CaseEvent(shop_id=shop.id, case_id=case.id, kind="choice_carried_out", detail={"choice": "refund"}))
    db.session().commit()
    queues.queue("default").empty()
    assert choice_jobs.sweep_deadlines() == 0
