"""Opt-outs by link and by SMS reply stop further messages at once; marketing yields to the daily cap."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app import db, queues
from app.models import BackInStockSubscription, ContactOptOut, Notification
from app.notifications import links, service
from app.channels.keywords import normalized_reply
from app.inbound.texts import sms_reply_locale
from app.notifications.planning import plan_case
from tests.notifications.conftest import FROM_NUMBER, add_case, add_shop
from tests.support.sms_provider import post_inbound_sms, serve_wsgi, sign

PHONE = "+14155550123"


def latest(kind: str) -> dict[str, Notification]:
    db.session().expire_all()
    found = db.session().scalars(select(Notification).where(Notification.kind == kind))
    return {row.channel: row for row in found}


def opt_outs() -> list[tuple[str, str, str]]:
    return [(o.channel, o.address, o.source) for o in db.session().scalars(select(ContactOptOut))]


def test_the_unsubscribe_link_asks_then_stops_email(app_context, client, smtp, twilio, run_jobs):
    shop = add_shop()
    case = add_case(shop)
    queues.enqueue("notifications", "jobs.notify.case_opened", shop.id, case.id)
    run_jobs()
    link = smtp.messages[0].message["List-Unsubscribe"].strip("<>")
    path = link.removeprefix("http://127.0.0.1:5000")

    page = client.get(path)
    assert page.status_code == 200 and b"ada@example.com" in page.data and b"<form" in page.data
    assert opt_outs() == []  # a mail scanner following the link unsubscribes nobody

    done = client.post(path)
    assert done.status_code == 200 and b"unsubscribed" in done.data
    assert opt_outs() == [("email", "ada@example.com", "link")]

    service.restock_arrived(shop.id, case.id, db.utcnow())
    restock = latest("restock")
    assert restock["email"].status == "suppressed" and restock["sms"].status == "sent"
    assert len(smtp.messages) == 1 and len(twilio.messages) == 2


def test_one_click_unsubscribe_from_the_mail_client(app_context, client):
    shop = add_shop()
    token = links.unsubscribe_token(shop.id, "email", "ada@example.com", "en")
    response = client.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert opt_outs() == [("email", "ada@example.com", "list_unsubscribe")]


def test_an_altered_unsubscribe_link_is_refused(app_context, client):
    shop = add_shop()
    token = links.unsubscribe_token(shop.id, "email", "ada@example.com", "en")
    assert client.post(f"/unsubscribe/{token[:-2]}xx").status_code == 400
    assert client.get(f"/unsubscribe/{links.unsubscribe_token(shop.id, 'email', 'a@b.c', 'en', secret_key='other')}"
                      ).status_code == 400
    assert opt_outs() == []


def test_an_sms_stop_reply_stops_further_sms(app, app_context, smtp, twilio):
    shop = add_shop()
    case = add_case(shop)
    service.case_opened(shop.id, case.id, db.utcnow())
    with serve_wsgi(app) as base_url:
        response = post_inbound_sms(f"{base_url}/sms/inbound", from_=PHONE, to=FROM_NUMBER, body="STOP",
                                    auth_token=twilio.auth_token)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    assert "<Message>" not in response.text  # Twilio answers its own English keywords
    db.session().expire_all()
    assert opt_outs() == [("sms", PHONE, "sms_reply")]

    service.restock_arrived(shop.id, case.id, db.utcnow())
    restock = latest("restock")
    assert restock["sms"].status == "suppressed" and restock["email"].status == "sent"
    assert len(twilio.messages) == 1


def signed_reply(client, twilio, body: str, sender: str = PHONE):
    """Twilio's POST of a reply, signed for our public URL (the app sits behind a proxy)."""
    params = {"MessageSid": "SM1", "AccountSid": twilio.account_sid, "From": sender, "To": FROM_NUMBER, "Body": body}
    signature = sign("http://127.0.0.1:5000/sms/inbound", params, twilio.auth_token)
    return client.post("/sms/inbound", data=params, headers={"X-Twilio-Signature": signature})


@pytest.mark.parametrize("reply, answer", [
    ("STOP", None), ("ｓｔｏｐ", None), ("退订", "zh-CN"), ("TD", "zh-CN"), ("td。", "zh-CN"), ("退訂", "zh-TW"),
])
def test_which_stop_words_we_answer_in_chinese(reply, answer):
    assert sms_reply_locale(normalized_reply(reply)) == answer


def test_a_stop_reply_opts_out_of_every_shop_that_wrote_and_is_answered(app_context, client, twilio):
    shops = [add_shop(), add_shop("other.myshopify.com")]
    for shop in shops:
        plan_case(shop, add_case(shop), "restock", db.utcnow())  # each shop wrote to the number
    response = signed_reply(client, twilio, "TD")
    assert response.status_code == 200 and "您已退订" in response.text
    assert sorted(opt_outs()) == [("sms", PHONE, "sms_reply")] * 2


def test_other_replies_change_nothing(app_context, client, twilio):
    shop = add_shop()
    plan_case(shop, add_case(shop), "restock", db.utcnow())
    assert signed_reply(client, twilio, "When does it ship? Stop worrying me").status_code == 200
    assert opt_outs() == []


def test_a_forged_sms_reply_is_refused(app, app_context, twilio):
    shop = add_shop()
    plan_case(shop, add_case(shop), "restock", db.utcnow())
    with serve_wsgi(app) as base_url:
        response = post_inbound_sms(f"{base_url}/sms/inbound", from_=PHONE, to=FROM_NUMBER, body="STOP",
                                    auth_token="not-our-token")
    assert response.status_code == 403
    assert opt_outs() == []


def test_start_lets_messages_through_again(app_context, client, twilio):
    shop = add_shop()
    plan_case(shop, add_case(shop), "restock", db.utcnow())
    signed_reply(client, twilio, "STOP")
    assert opt_outs() == [("sms", PHONE, "sms_reply")]
    signed_reply(client, twilio, "START")
    assert opt_outs() == []


def test_a_stop_withdraws_the_sms_waiting_for_morning(app, app_context, smtp, twilio):
    shop = add_shop(quiet_hours_start=21, quiet_hours_end=8)
    case = add_case(shop)
    evening = datetime(2026, 11, 24, 22, 0, tzinfo=timezone.utc)
    service.case_opened(shop.id, case.id, evening)
    assert latest("stockout_notice")["sms"].status == "scheduled"
    with serve_wsgi(app) as base_url:
        post_inbound_sms(f"{base_url}/sms/inbound", from_=PHONE, to=FROM_NUMBER, body="TD",
                         auth_token=twilio.auth_token)
    held = latest("stockout_notice")["sms"]
    assert held.status == "suppressed"
    service.send_one(shop.id, held.id, evening + timedelta(hours=10))
    assert twilio.messages == [] and len(smtp.messages) == 1


def add_subscription(shop, email: str, **fields) -> BackInStockSubscription:
    values = dict(shop_id=shop.id, variant_gid="gid://shopify/ProductVariant/11", email=email, locale="en",
                  consent_at=db.utcnow(), status="waiting")
    values.update(fields)
    subscription = BackInStockSubscription(**values)
    db.session().add(subscription)
    db.session().commit()
    return subscription


def test_marketing_yields_to_the_daily_cap_but_order_notices_do_not(app_context, smtp, twilio):
    shop = add_shop(messages_per_customer_per_day=2, sms_enabled=False)
    case = add_case(shop)
    now = db.utcnow()
    service.case_opened(shop.id, case.id, now)
    service.restock_arrived(shop.id, case.id, now)
    subscription = add_subscription(shop, "ada@example.com")
    service.back_in_stock(shop.id, [subscription.id], 1, now)
    [row_id] = db.session().scalars(select(Notification.id).where(Notification.kind == "back_in_stock")).all()
    service.send_chunk(shop.id, [row_id], now)
    marketing = latest("back_in_stock")["email"]
    assert marketing.status == "skipped" and "cap 2" in marketing.error

    service.order_shipped(shop.id, case.id, now)
    assert latest("shipped")["email"].status == "sent"
    assert len(smtp.messages) == 3
