"""The merchant's "resend" button: one new stockout notice per click, on the case's timeline; and an unusable
phone number, recorded on the timeline while the e-mail still goes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import db, queues
from app.admin.session_token import mint_session_token
from app.models import CaseEvent, Notification, Shop
from jobs import notify
from tests.notifications.conftest import add_case, add_shop


def admin_client(app, client, shop: Shop):
    """Fetches from the embedded admin for this shop, as App Bridge makes them (a fresh session token each time)."""
    settings = app.config["SETTINGS"]
    row = db.session().get(Shop, shop.id)
    row.access_token_encrypted = app.extensions["stockout.cipher"].encrypt("shpat_test")
    db.session().commit()

    def token() -> str:
        return mint_session_token(shop.domain, client_id=settings.shopify_api_key, secret=settings.shopify_api_secret,
                                  now=db.utcnow(), lifetime=timedelta(minutes=1))

    def post(path: str):
        return client.post(path, json={}, headers={"Authorization": f"Bearer {token()}"})

    def page(path: str) -> str:
        return client.get(path, query_string={"shop": shop.domain, "id_token": token()}).get_data(as_text=True)

    return post, page


def notices(case_id: int) -> list[Notification]:
    db.session().expire_all()
    return list(db.session().scalars(
        select(Notification).where(Notification.case_id == case_id, Notification.kind == "stockout_notice")
        .order_by(Notification.id)
    ))


def events(case_id: int, kind: str) -> list[CaseEvent]:
    return list(db.session().scalars(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.kind == kind)))


def test_each_resend_click_sends_the_notice_once_more_and_shows_on_the_timeline(app, client, app_context, smtp,
                                                                                 twilio, run_jobs):
    shop = add_shop()
    case = add_case(shop, phone=None)
    queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id)
    run_jobs()
    assert len(smtp.to("ada@example.com")) == 1
    post, page = admin_client(app, client, shop)

    for _ in range(2):
        response = post(f"/app/api/cases/{case.id}/resend")
        assert response.status_code == 202 and response.json["message"] == "The notice will be sent again."
    run_jobs()

    assert len(smtp.to("ada@example.com")) == 3  # the first notice and one per click
    sent = notices(case.id)
    assert [row.status for row in sent] == ["sent"] * 3 and len({row.idempotency_key for row in sent}) == 3
    resent = events(case.id, "notice_resent")
    clicks = {event.detail["click"] for event in resent}
    assert len(resent) == 2 and len(clicks) == 2 and {event.detail["source"] for event in resent} == {"merchant"}
    assert all(row.idempotency_key.endswith(tuple(clicks)) for row in sent[1:])

    # The same click's job run again (a retry after a crash) finds its rows: no third resend, no second event.
    notify.resend_notice(shop.id, case.id, sorted(clicks)[0])
    assert len(smtp.to("ada@example.com")) == 3 and len(events(case.id, "notice_resent")) == 2

    timeline = page(f"/app/cases/{case.id}")
    assert timeline.count("Notice sent again at your request") == 2


def test_a_resend_after_the_customer_chose_is_refused_with_the_reason(app_context, smtp, twilio):
    shop = add_shop()
    case = add_case(shop, choice="refund")
    notify.resend_notice(shop.id, case.id, "click-1")
    assert smtp.messages == [] and twilio.messages == [] and notices(case.id) == []
    [refused] = events(case.id, "resend_refused")
    assert refused.detail["click"] == "click-1" and "moved on" in refused.detail["reason"]


def test_an_invalid_phone_number_is_on_the_timeline_and_the_email_still_goes(app, client, app_context, smtp, twilio,
                                                                             run_jobs):
    shop = add_shop()
    case = add_case(shop, phone="+1 555 0000")
    queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id)
    run_jobs()
    notify.case_opened(shop.id, case.id)  # a retried job adds neither a message nor a second event

    assert len(smtp.to("ada@example.com")) == 1 and twilio.messages == []
    [failed] = events(case.id, "message_failed")
    assert failed.detail["channel"] == "sms" and failed.detail["kind"] == "stockout_notice"
    assert "not a valid phone number" in failed.detail["reason"]
    _, page = admin_client(app, client, shop)
    timeline = page(f"/app/cases/{case.id}")
    assert "Message failed" in timeline and "is not a valid phone number" in timeline
