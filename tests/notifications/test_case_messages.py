"""A case's messages go out through the real local SMTP and Twilio-speaking servers, in the customer's language."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from app import db, queues
from app.channels.email_smtp import message_id
from app.models import CaseEvent, Compensation, MessageTemplate, Notification, StockoutCase
from jobs import notify
from tests.notifications.conftest import FROM_NUMBER, add_case, add_shop, scheduled_jobs


def rows(case_id: int) -> dict[str, Notification]:
    db.session().expire_all()
    found = db.session().scalars(select(Notification).where(Notification.case_id == case_id))
    return {row.channel: row for row in found}


def test_stockout_notice_by_email_and_sms_in_the_customers_language(app_context, smtp, twilio, run_jobs):
    shop = add_shop(locale="en")
    case = add_case(shop, customer_locale="zh-CN", customer_name="王小明")
    queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id)
    assert run_jobs() == 1

    [mail] = smtp.to("ada@example.com")
    assert "订单 #1001" in mail.message["Subject"] or "#1001" in mail.message["Subject"]
    text = mail.message.get_body(("plain",)).get_content()
    assert "王小明" in text and "抱歉" in text
    assert mail.message["From"].addresses[0].display_name == "Juniper & Clay"
    assert mail.message["List-Unsubscribe"].startswith("<http://127.0.0.1:5000/unsubscribe/")
    sent = rows(case.id)
    assert mail.message["Message-ID"] == message_id(sent["email"].idempotency_key, "notices@concierge.example")
    assert mail.message.get_body(("html",)) is not None

    [sms] = twilio.messages
    assert sms.to == "+14155550123" and sms.from_ == FROM_NUMBER
    assert "回复TD退订" in sms.body and "/c/" in sms.body

    assert {row.status for row in sent.values()} == {"sent"}
    assert sent["sms"].provider == "twilio" and sent["sms"].provider_id == sms.sid
    assert sent["email"].locale == "zh-CN"
    case = db.session().get(StockoutCase, case.id)
    assert case.notified_at is not None
    kinds = db.session().scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert kinds.count("notified") == 1 and kinds.count("message_sent") == 2


def test_the_shops_language_when_the_customers_is_unknown(app_context, smtp, twilio, run_jobs):
    shop = add_shop(locale="zh-TW")
    case = add_case(shop, customer_locale=None, phone=None)
    queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id)
    run_jobs()
    [mail] = smtp.messages
    assert "訂單" in mail.message.get_body(("plain",)).get_content()
    assert rows(case.id)["email"].locale == "zh-TW"
    assert twilio.messages == []


def test_the_merchants_edited_template_is_used(app_context, smtp, twilio, run_jobs):
    shop = add_shop()
    session = db.session()
    session.add(MessageTemplate(shop_id=shop.id, kind="stockout_notice", locale="en", part="subject",
                                source="Sorry {{ customer_name }}, order {{ order_name }} is short"))
    session.commit()
    case = add_case(shop)
    queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id)
    run_jobs()
    assert smtp.messages[0].message["Subject"] == "Sorry Ada, order #1001 is short"


def test_an_invalid_phone_number_is_recorded_and_the_email_still_goes(app_context, smtp, twilio, run_jobs):
    shop = add_shop()
    case = add_case(shop, phone="+1 555 0000")
    queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id)
    assert run_jobs() == 1
    sent = rows(case.id)
    assert sent["sms"].status == "failed" and "not a valid phone number" in sent["sms"].error
    assert sent["email"].status == "sent"
    assert len(smtp.messages) == 1 and twilio.messages == []


def test_a_refused_recipient_is_recorded_as_failed_with_the_reason(app_context, smtp, twilio, run_jobs):
    smtp.rejected.add("ada@example.com")
    shop = add_shop()
    case = add_case(shop)
    queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id)
    assert run_jobs() == 1
    email = rows(case.id)["email"]
    assert email.status == "failed" and "550" in email.error
    detail = db.session().scalars(select(CaseEvent.detail).where(CaseEvent.kind == "message_failed")).one()
    assert detail["channel"] == "email" and "550" in detail["reason"]
    assert db.session().get(StockoutCase, case.id).notified_at is not None  # the SMS reached them


def test_opening_schedules_the_first_backorder_update(app_context, smtp, twilio, run_jobs):
    shop = add_shop(backorder_update_days=10)
    case = add_case(shop)
    before = db.utcnow()
    queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id)
    run_jobs()
    due = scheduled_jobs()[f"notify-{shop.id}-backorder-{case.id}-1"]
    assert abs(due - (before + timedelta(days=10)).timestamp()) < 60


def test_messages_after_the_notice(app_context, smtp, twilio, run_jobs):
    shop = add_shop()
    case = add_case(shop, status="waiting", choice="wait")
    for job in ("restock_arrived", "order_shipped"):
        queues.enqueue("notifications", f"jobs.notify.{job}", shop.id, case.id)
    run_jobs()
    subjects = [mail.message["Subject"] for mail in smtp.messages]
    assert len(subjects) == 2 and len(twilio.messages) == 2
    kinds = db.session().scalars(select(Notification.kind).where(Notification.channel == "email")).all()
    assert sorted(kinds) == ["restock", "shipped"]


def test_each_choice_is_confirmed_once(app_context, smtp, twilio):
    shop = add_shop(sms_enabled=False)
    case = add_case(shop)
    session = db.session()
    for choice in ("wait", "wait", "refund"):
        session.get(StockoutCase, case.id).choice = choice
        session.commit()
        notify.case_message(shop.id, case.id, "choice_confirmed")
    keys = sorted(db.session().scalars(select(Notification.idempotency_key)).all())
    assert keys == [f"s{shop.id}:case{case.id}:choice_confirmed:email:refund",
                    f"s{shop.id}:case{case.id}:choice_confirmed:email:wait"]
    assert len(smtp.messages) == 2


def test_the_granted_coupon_is_sent_with_its_code(app_context, smtp, twilio):
    shop = add_shop(sms_enabled=False)
    case = add_case(shop, choice="wait", status="waiting")
    session = db.session()
    session.add(Compensation(shop_id=shop.id, case_id=case.id, option="wait", kind="fixed_amount",
                             amount=Decimal("5.00"), currency="USD", coupon_code="SORRY-7KQ2MX9PLA",
                             ends_on=date(2026, 12, 31), status="granted", idempotency_key="coupon-1"))
    session.commit()
    notify.case_message(shop.id, case.id, "compensation_coupon")
    [mail] = smtp.messages
    text = mail.message.get_body(("plain",)).get_content()
    assert "SORRY-7KQ2MX9PLA" in text and "$5.00" in text
