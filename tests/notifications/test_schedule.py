"""Quiet hours, periodic updates, follow-ups and cancellation, with a fixed clock passed in (no sleeping)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app import db
from app.models import CaseEvent, Notification, Shop, StockoutCase
from app.notifications import service
from jobs import notify
from tests.notifications.conftest import add_case, add_shop, scheduled_jobs

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVENING = datetime(2026, 11, 24, 22, 0, tzinfo=SHANGHAI).astimezone(timezone.utc)
MORNING = datetime(2026, 11, 25, 8, 0, tzinfo=SHANGHAI).astimezone(timezone.utc)


def rows(kind: str) -> dict[str, Notification]:
    db.session().expire_all()
    return {row.channel: row for row in db.session().scalars(select(Notification).where(Notification.kind == kind))}


def night_shop() -> Shop:
    return add_shop(timezone="Asia/Shanghai", quiet_hours_start=21, quiet_hours_end=8)


def test_an_sms_at_22_00_shop_time_goes_at_08_00(app_context, smtp, twilio):
    shop = night_shop()
    case = add_case(shop)
    service.case_opened(shop.id, case.id, EVENING)
    held = rows("stockout_notice")
    assert held["email"].status == "sent" and len(smtp.messages) == 1
    assert held["sms"].status == "scheduled" and held["sms"].scheduled_for == MORNING
    job_id = f"notify-{shop.id}-send-{held['sms'].id}-{int(MORNING.timestamp())}"
    assert scheduled_jobs()[job_id] == MORNING.timestamp()

    service.send_one(shop.id, held["sms"].id, MORNING - timedelta(hours=1))  # woken early: back to sleep
    assert twilio.messages == [] and rows("stockout_notice")["sms"].status == "scheduled"
    service.send_one(shop.id, held["sms"].id, MORNING)
    assert len(twilio.messages) == 1 and rows("stockout_notice")["sms"].status == "sent"


def test_the_morning_sms_is_dropped_when_the_case_moved_on(app_context, smtp, twilio):
    shop = night_shop()
    case = add_case(shop)
    service.case_opened(shop.id, case.id, EVENING)
    session = db.session()
    session.get(StockoutCase, case.id).choice = "refund"
    session.commit()
    service.send_one(shop.id, rows("stockout_notice")["sms"].id, MORNING)
    held = rows("stockout_notice")["sms"]
    assert held.status == "cancelled" and "moved on" in held.error and twilio.messages == []


def test_backorder_updates_repeat_while_the_customer_waits(app_context, smtp, twilio):
    shop = add_shop(backorder_update_days=10)
    case = add_case(shop, status="waiting", choice="wait")
    now = datetime(2026, 12, 4, 10, 0, tzinfo=timezone.utc)
    service.backorder_update(shop.id, case.id, 1, now)
    service.backorder_update(shop.id, case.id, 1, now)  # a duplicate run
    assert len(smtp.messages) == 1 and len(twilio.messages) == 1
    assert rows("backorder_update")["email"].idempotency_key.endswith(":u1")
    assert f"notify-{shop.id}-backorder-{case.id}-2" in scheduled_jobs()
    assert "cancel" in smtp.messages[0].message.get_body(("plain",)).get_content()

    session = db.session()
    session.get(StockoutCase, case.id).choice = "refund"
    session.commit()
    service.backorder_update(shop.id, case.id, 2, now + timedelta(days=10))
    assert len(smtp.messages) == 1
    assert f"notify-{shop.id}-backorder-{case.id}-3" not in scheduled_jobs()


def test_a_new_restock_date_is_told_once(app_context, smtp, twilio):
    shop = add_shop(sms_enabled=False)
    case = add_case(shop, status="waiting", choice="wait", restock_date=datetime(2026, 12, 20).date(), delay_count=1)
    for _ in range(2):
        service.restock_date_changed(shop.id, case.id, datetime(2026, 12, 1).date(), db.utcnow())
    [mail] = smtp.messages
    text = mail.message.get_body(("plain",)).get_content()
    assert "Dec 1" in text and "Dec 20" in text


def test_stock_arriving_cancels_the_pending_updates(app_context, smtp, twilio):
    shop = add_shop()
    case = add_case(shop)
    service.case_opened(shop.id, case.id, db.utcnow())
    assert f"notify-{shop.id}-backorder-{case.id}-1" in scheduled_jobs()
    service.restock_arrived(shop.id, case.id, db.utcnow())
    assert not any(job.startswith(f"notify-{shop.id}-backorder-") for job in scheduled_jobs())
    assert rows("restock")["email"].status == "sent"


def test_the_follow_up_after_closing_and_its_answer(app_context, client, smtp, twilio):
    shop = add_shop(followup_days=3, sms_enabled=False)
    closed_at = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    case = add_case(shop, status="closed", closed_at=closed_at)
    notify.case_closed(shop.id, case.id)
    assert scheduled_jobs()[f"notify-{shop.id}-followup-{case.id}"] == (closed_at + timedelta(days=3)).timestamp()

    notify.satisfaction_followup(shop.id, case.id)
    [mail] = smtp.messages
    text = mail.message.get_body(("plain",)).get_content()
    links = re.findall(r"http://127\.0\.0\.1:5000(/feedback/\S+\?score=\d)", text)
    assert [link[-1] for link in links] == ["1", "2", "3", "4", "5"]
    assert db.session().get(StockoutCase, case.id).followup_sent_at is not None

    assert client.get(links[3]).status_code == 200
    db.session().expire_all()
    assert db.session().get(StockoutCase, case.id).satisfaction_score == 4
    assert db.session().scalars(select(CaseEvent.detail).where(CaseEvent.kind == "satisfaction_answered")).one() == {
        "score": 4}
    assert client.get(links[3].replace("score=4", "score=9")).status_code == 400

    notify.satisfaction_followup(shop.id, case.id)  # answered: not asked again
    assert len(smtp.messages) == 1


def test_uninstalling_cancels_everything_pending(app_context, smtp, twilio):
    shop = night_shop()
    case = add_case(shop)
    service.case_opened(shop.id, case.id, EVENING)
    session = db.session()
    session.get(Shop, shop.id).uninstalled_at = db.utcnow()
    session.commit()
    assert notify.shop_uninstalled(shop.id) == 2  # the morning SMS and the first backorder update
    assert scheduled_jobs() == {}
    held = rows("stockout_notice")["sms"]
    assert held.status == "cancelled"
    service.send_one(shop.id, held.id, MORNING)
    service.backorder_update(shop.id, case.id, 1, MORNING + timedelta(days=10))
    assert twilio.messages == [] and len(smtp.messages) == 1
