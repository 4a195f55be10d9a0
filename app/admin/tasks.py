"""Jobs the admin's buttons start: close a case, choose for a customer, send the merchant a test message."""

from __future__ import annotations

import json

from flask import current_app
from sqlalchemy import update

from app import db, queues
from app.admin.i18n import t
from app.admin.shop_state import settings_for
from app.channels.base import DeliveryError, OutgoingEmail, OutgoingSms
from app.choices import choosing, offers
from app.models import CaseEvent, Shop, StockoutCase
from app.notifications import senders
from app.notifications.facts import message_shop

TEST_RESULT_TTL = 3600
FINISHED = ("closed", "resolved", "cancelled")


def close_case(shop_id: int, case_id: int) -> bool:
    """Close a case the merchant has dealt with; True when this run closed it (running twice changes nothing)."""
    session = db.session()
    now = db.utcnow()
    closed = session.execute(
        update(StockoutCase)
        .where(StockoutCase.shop_id == shop_id, StockoutCase.id == case_id, StockoutCase.status.not_in(FINISHED))
        .values(status="closed", closed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if closed:
        session.add(CaseEvent(shop_id=shop_id, case_id=case_id, kind="closed", detail={"source": "merchant"},
                              created_at=now))
    session.commit()
    if closed:
        # The notifications worker cancels what waited for stock and schedules the satisfaction follow-up.
        queues.enqueue("notifications", "jobs.notify.case_closed", shop_id, case_id, job_id=f"case-closed-{case_id}")
    return bool(closed)


def choose_for_customer(shop_id: int, case_id: int, offer_key: str) -> bool:
    """Record an option on the customer's behalf, unless they chose first; True when the merchant's choice won."""
    case = choosing.load_case(shop_id, case_id)
    if case is None:
        return False
    offers.ensure_offer(case)
    db.session().commit()
    return choosing.choose(shop_id, case_id, offer_key, expected=None, source="merchant").accepted


def test_result_key(shop_id: int, test_id: str) -> str:
    """Keyed by shop too: a test's outcome is readable only by the shop that sent it."""
    return f"admin:channel-test:{shop_id}:{test_id}"


def record_test_result(shop_id: int, test_id: str, status: str, detail: str = "") -> None:
    queues.redis().set(test_result_key(shop_id, test_id), json.dumps({"status": status, "detail": detail}),
                       ex=TEST_RESULT_TTL)


def read_test_result(shop_id: int, test_id: str) -> dict | None:
    raw = queues.redis().get(test_result_key(shop_id, test_id))
    return json.loads(raw) if raw else None


def send_test_message(shop_id: int, channel: str, to: str, locale: str, test_id: str) -> str:
    """Send the merchant a short test through the configured channel; the outcome is kept for the page to show."""
    shop = db.session().get(Shop, shop_id)
    shop_settings = settings_for(shop)
    key = f"channel-test-{test_id}"
    try:
        if channel == "email":
            receipt = senders.email_sender().send(OutgoingEmail(
                to=to, to_name=None, subject=t(locale, "test_message.subject"), text=t(locale, "test_message.body"),
                html=None, from_name=message_shop(shop, shop_settings).name,
                from_address=current_app.config["SETTINGS"].email_from_address,
                reply_to=None, list_unsubscribe_url=None, idempotency_key=key,
            ))
        else:
            receipt = senders.sms_sender(shop_settings).send(
                OutgoingSms(to=to, body=t(locale, "test_message.sms"), idempotency_key=key)
            )
    except DeliveryError as error:
        # The merchant reads the reason on the settings page; the job still fails so the worker logs it.
        record_test_result(shop_id, test_id, "failed", error.reason)
        raise
    record_test_result(shop_id, test_id, "sent", receipt.provider)
    return "sent"
