"""The choice page: signed links, first open, one choice however many clicks, devices or replays."""

from __future__ import annotations

import re
import threading
import time

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from app import db, queues
from app.choices import choosing, links
from app.models import CaseEvent, StockoutCase
from app.models.cases import CaseOffer
from tests.choices.conftest import add_case


def _events(kind: str) -> int:
    return db.session().scalar(select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == kind))


def _reload(case) -> StockoutCase:
    db.session().expire_all()
    return db.session().get(StockoutCase, case.id)


def _form(page: str) -> dict:
    return {"form_token": re.search(r'name="form_token" value="([^"]+)"', page).group(1),
            "expected": re.search(r'name="expected" value="([^"]*)"', page).group(1)}


def test_the_first_open_is_recorded_once_and_the_page_speaks_the_customers_language(app, client, case):
    token = links.choice_token(case.shop_id, case.id)
    case.customer_locale = "zh-TW"
    db.session().commit()
    first = client.get(f"/c/{token}")
    second = client.get(f"/c/{token}")
    assert first.status_code == second.status_code == 200
    page = first.get_data(as_text=True)
    assert "等待到貨" in page and "申請退款" in page and "$40.00" in page
    assert "銀行通常在 3–5 個工作天內入帳" in page
    assert "請在" in page and "如屆時未收到您的回覆，我們會為您保留訂單" in page
    assert _reload(case).link_opened_at is not None
    assert _events("link_opened") == 1
    assert first.headers["Referrer-Policy"] == "no-referrer" and first.headers["Cache-Control"] == "no-store"
    english = client.get(f"/c/{token}?lang=en").get_data(as_text=True)
    assert "Wait for it" in english and "Get a refund" in english
    assert "Plus a $5.00 coupon for your next order" in english
    case.status = "closed"
    db.session().commit()
    closed = client.get(f"/c/{token}?lang=en").get_data(as_text=True)
    assert "has been taken care of" in closed and 'name="offer"' not in closed


def test_a_tampered_link_is_refused_with_400_and_changes_nothing(client, case):
    token = links.choice_token(case.shop_id, case.id)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    other_case = links.choice_token(case.shop_id, case.id + 1, secret_key="not-our-secret")
    for bad in (forged, other_case, "nothing-signed-here"):
        response = client.get(f"/c/{bad}")
        assert response.status_code == 400
        assert "This link doesn&#39;t work" in response.get_data(as_text=True)
        assert client.post(f"/c/{bad}/choose", data={"offer": "refund"}).status_code == 400
    assert _reload(case).link_opened_at is None
    assert _reload(case).choice is None


class _LongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 31 * 86400


def test_an_expired_link_is_refused_with_410_and_changes_nothing(app, client, case):
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=links.CHOICE_SALT, signer=_LongAgo)
    old = serializer.dumps({"s": case.shop_id, "c": case.id})
    assert client.get(f"/c/{old}").status_code == 410
    in_chinese = client.get(f"/c/{old}", headers={"Accept-Language": "zh-TW,zh;q=0.9,en;q=0.5"})
    assert in_chinese.status_code == 410 and "此連結已過期" in in_chinese.get_data(as_text=True)
    assert client.post(f"/c/{old}/choose", data={"offer": "refund"}).status_code == 410
    assert _reload(case).link_opened_at is None and _reload(case).choice is None


def test_double_submit_and_a_second_device_get_the_first_outcome(client, case):
    token = links.choice_token(case.shop_id, case.id)
    page = client.get(f"/c/{token}").get_data(as_text=True)
    form = _form(page)
    first = client.post(f"/c/{token}/choose", data={**form, "offer": "refund"})
    replay = client.post(f"/c/{token}/choose", data={**form, "offer": "refund"})
    other_device = client.post(f"/c/{token}/choose", data={**form, "offer": "wait"})
    assert first.status_code == replay.status_code == other_device.status_code == 303
    assert _reload(case).choice == "refund"
    assert _events("choice_made") == 1
    assert queues.queue("default").count == 1
    confirmation = client.get(f"/c/{token}").get_data(as_text=True)
    assert "You chose a refund of $40.00" in confirmation
    assert 'name="offer"' not in confirmation


def test_a_post_without_the_pages_form_token_changes_nothing(client, case):
    token = links.choice_token(case.shop_id, case.id)
    response = client.post(f"/c/{token}/choose", data={"offer": "refund", "expected": ""})
    assert response.status_code == 303 and "stale=1" in response.headers["Location"]
    foreign = links.form_token(links.choice_token(case.shop_id, case.id + 7))
    client.post(f"/c/{token}/choose", data={"offer": "refund", "expected": "", "form_token": foreign})
    assert _reload(case).choice is None


def test_an_option_that_was_not_offered_is_refused(client, case):
    token = links.choice_token(case.shop_id, case.id)
    form = _form(client.get(f"/c/{token}").get_data(as_text=True))
    response = client.post(f"/c/{token}/choose", data={**form, "offer": "substitute:gid://shopify/ProductVariant/999"})
    assert response.status_code == 400
    assert _reload(case).choice is None


def test_a_waiting_customer_may_switch_to_a_refund_once_but_a_refund_is_final(client, case):
    token = links.choice_token(case.shop_id, case.id)
    form = _form(client.get(f"/c/{token}").get_data(as_text=True))
    client.post(f"/c/{token}/choose", data={**form, "offer": "wait"})
    assert _reload(case).choice == "wait"
    switch_page = client.get(f"/c/{token}").get_data(as_text=True)
    assert "You can still switch" in switch_page
    switch_form = _form(switch_page)
    assert switch_form["expected"] == "wait"
    client.post(f"/c/{token}/choose", data={**switch_form, "offer": "refund"})
    client.post(f"/c/{token}/choose", data={**switch_form, "offer": "refund"})
    client.post(f"/c/{token}/choose", data={**form, "offer": "wait"})
    assert _reload(case).choice == "refund"
    assert _events("choice_made") == 2


def test_simultaneous_choices_from_two_devices_record_exactly_one(app, shop):
    cases = [add_case(shop, order_gid=f"gid://shopify/Order/{n}") for n in range(100, 105)]
    for case in cases:
        client = app.test_client()
        client.get(f"/c/{links.choice_token(case.shop_id, case.id)}")
    outcomes = []

    def choose(case_id: int, key: str):
        with app.app_context():
            outcomes.append((case_id, choosing.choose(shop.id, case_id, key, expected=None).accepted))

    threads = [threading.Thread(target=choose, args=(case.id, key)) for case in cases for key in ("wait", "refund")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for case in cases:
        assert sorted(accepted for case_id, accepted in outcomes if case_id == case.id) == [False, True]
    chosen = db.session().scalar(select(func.count()).select_from(CaseOffer).where(CaseOffer.chosen_at.is_not(None)))
    assert chosen == len(cases)
