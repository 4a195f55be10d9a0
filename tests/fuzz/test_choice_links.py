"""Choice links under attack: tampered, forged, expired or another shop's — refused, never a 5xx, nothing changed."""

from __future__ import annotations

import time

from hypothesis import assume, given
from hypothesis import strategies as st
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app import db
from app.choices import links
from app.models import CaseEvent, StockoutCase
from tests.fuzz.conftest import HOSTILE, count, same_signed_content, tampered_tokens

class _LongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 31 * 86400


def _untouched(*cases: StockoutCase) -> bool:
    db.session().expire_all()
    return all(db.session().get(StockoutCase, case.id).link_opened_at is None
               and db.session().get(StockoutCase, case.id).choice is None for case in cases) and count(CaseEvent) == 0


@HOSTILE
@given(data=st.data(), action=st.sampled_from(["", "/cancel", "/choose", "/agree"]))
def test_a_tampered_or_forged_link_gets_400_and_changes_nothing(client, two_shops, data, action):
    genuine = links.choice_token(two_shops.a.id, two_shops.case_a.id)
    token = data.draw(tampered_tokens(genuine))
    assume(not same_signed_content(token, genuine))
    form = {"offer": "refund", "form_token": links.form_token(token), "expected": ""}
    response = client.post(f"/c/{token}{action}", data=form) if action in ("/choose", "/agree") \
        else client.get(f"/c/{token}{action}")
    assert response.status_code in (400, 404, 405), response.status_code
    assert _untouched(two_shops.case_a, two_shops.case_b)


@HOSTILE
@given(secret=st.text(min_size=1, max_size=40).filter(lambda s: s != "test-secret-key"),
       salt=st.sampled_from([links.CHOICE_SALT, links.FORM_SALT, "unsubscribe", "feedback", "other"]),
       payload=st.one_of(st.just(None), st.dictionaries(st.sampled_from(["s", "c"]),
                                                        st.one_of(st.integers(), st.text(max_size=5), st.none()))))
def test_a_link_signed_with_another_secret_or_salt_is_refused(client, two_shops, secret, salt, payload):
    for key, chosen_salt in ((secret, links.CHOICE_SALT), ("test-secret-key", salt)):
        if chosen_salt == links.CHOICE_SALT and key == "test-secret-key":
            continue
        token = URLSafeTimedSerializer(key, salt=chosen_salt).dumps(
            payload if payload is not None else {"s": two_shops.a.id, "c": two_shops.case_a.id})
        for action in ("", "/cancel"):
            assert client.get(f"/c/{token}{action}").status_code == 400
        assert client.post(f"/c/{token}/choose", data={"offer": "refund",
                                                         "form_token": links.form_token(token)}).status_code == 400
    assert _untouched(two_shops.case_a, two_shops.case_b)


@HOSTILE
@given(shop_id=st.integers(-2**31, 2**31 - 1), case_id=st.integers(-2**31, 2**31 - 1))
def test_a_genuine_link_naming_a_case_not_of_its_shop_is_gone_never_shown(client, two_shops, shop_id, case_id):
    cross = [(two_shops.a.id, two_shops.case_b.id), (two_shops.b.id, two_shops.case_a.id)]
    for named_shop, named_case in cross + [(shop_id, case_id)]:
        if (named_shop, named_case) in ((two_shops.a.id, two_shops.case_a.id), (two_shops.b.id, two_shops.case_b.id)):
            continue
        token = links.choice_token(named_shop, named_case)
        page = client.get(f"/c/{token}")
        assert page.status_code == 410
        assert two_shops.case_b.customer_name not in page.get_data(as_text=True)
        assert client.get(f"/c/{token}/cancel").status_code == 410
        chosen = client.post(f"/c/{token}/choose", data={"offer": "refund", "form_token": links.form_token(token)})
        assert chosen.status_code == 410
    assert _untouched(two_shops.case_a, two_shops.case_b)


def test_shop_as_page_form_token_does_not_work_on_shop_bs_link(client, two_shops):
    link_a = links.choice_token(two_shops.a.id, two_shops.case_a.id)
    link_b = links.choice_token(two_shops.b.id, two_shops.case_b.id)
    for action in ("choose", "agree"):
        response = client.post(f"/c/{link_b}/{action}", data={"offer": "refund", "form_token": links.form_token(link_a)})
        assert response.status_code == 303 and "stale=1" in response.headers["Location"]
    db.session().expire_all()
    assert db.session().get(StockoutCase, two_shops.case_b.id).choice is None


def test_expired_links_and_form_tokens_are_refused_and_change_nothing(app, client, two_shops):
    old_link = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=links.CHOICE_SALT, signer=_LongAgo).dumps(
        {"s": two_shops.a.id, "c": two_shops.case_a.id})
    for action in ("", "/cancel"):
        assert client.get(f"/c/{old_link}{action}").status_code == 410
    assert client.post(f"/c/{old_link}/choose", data={"offer": "refund"}).status_code == 410
    link = links.choice_token(two_shops.a.id, two_shops.case_a.id)
    old_form = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=links.FORM_SALT, signer=_LongAgo).dumps(
        links._fingerprint(link))
    response = client.post(f"/c/{link}/choose", data={"offer": "refund", "form_token": old_form})
    assert response.status_code == 303 and "stale=1" in response.headers["Location"]
    db.session().expire_all()
    assert db.session().get(StockoutCase, two_shops.case_a.id).choice is None
