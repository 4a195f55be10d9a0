"""Customer-facing replies under attack: unsigned SMS webhooks, tampered unsubscribe and rating links — nothing kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import db
from app.models import ContactOptOut, StockoutCase
from app.models.messaging import Notification
from app.notifications import links
from tests.conftest import make_settings
from tests.fuzz.conftest import HOSTILE, count, header_text, same_signed_content, tampered_tokens
from tests.support.sms_provider import sign

AUTH_TOKEN = "fuzz-twilio-auth-token"
PHONE = "+14155552671"
URL = "http://localhost/sms/inbound"


@pytest.fixture
def settings(migrated_database, redis_url):
    """The app with Twilio configured, so its inbound webhook is live."""
    return make_settings(migrated_database, redis_url, twilio_auth_token=AUTH_TOKEN, app_url="http://localhost")


@pytest.fixture
def texted(two_shops):
    """Both shops have texted PHONE, so a STOP from it would opt it out of both."""
    session = db.session()
    for shop in (two_shops.a, two_shops.b):
        session.add(Notification(shop_id=shop.id, channel="sms", recipient=PHONE, kind="stockout_notice",
                                 locale="en", idempotency_key=f"fuzz-{shop.id}", status="sent"))
    session.commit()
    return two_shops


def _stop(body: str = "STOP") -> dict:
    return {"MessageSid": "SM" + "1" * 32, "AccountSid": "AC" + "0" * 32, "From": PHONE, "To": "+15005550006",
            "Body": body, "NumMedia": "0"}


@st.composite
def bad_twilio_signatures(draw, params: dict) -> str | None:
    good = sign(URL, params, AUTH_TOKEN)
    return draw(st.one_of(
        st.none(), st.just(""), header_text.filter(lambda text: text != good),
        st.just(sign(URL, params, "another-token")), st.just(sign(URL + "?x=1", params, AUTH_TOKEN)),
        st.just(sign("https://evil.example/sms/inbound", params, AUTH_TOKEN)),
        st.just(sign(URL, {**params, "Body": "START"}, AUTH_TOKEN)), st.just(good[:-2]), st.just(good.lower()),
    ))


@HOSTILE
@given(data=st.data(), body=st.sampled_from(["STOP", "stop", "退订", "TD", "UNSUBSCRIBE"]),
       host=st.sampled_from([None, "localhost", "localhost:99999", "[::1", "evil.example"]))
def test_an_sms_reply_twilio_did_not_sign_gets_403_and_opts_no_one_out(client, texted, data, body, host):
    params = _stop(body)
    signature = data.draw(bad_twilio_signatures(params))
    headers = {} if signature is None else {"X-Twilio-Signature": signature}
    if host is not None:
        headers["Host"] = host
    response = client.post("/sms/inbound", data=params, headers=headers)
    assert response.status_code in (400, 403)
    assert count(ContactOptOut) == 0


@HOSTILE
@given(fields=st.dictionaries(st.sampled_from(["From", "To", "Body", "MessageSid", "NumMedia", "OptOutType"]),
                              st.text(max_size=200), max_size=6))
def test_any_signed_sms_form_is_answered_without_a_5xx(client, texted, fields):
    response = client.post("/sms/inbound", data=fields, headers={"X-Twilio-Signature": sign(URL, fields, AUTH_TOKEN)})
    assert response.status_code == 200 and response.mimetype == "text/xml"


@HOSTILE
@given(data=st.data(), method=st.sampled_from(["GET", "POST"]))
def test_a_tampered_unsubscribe_link_is_refused_and_opts_no_one_out(client, texted, data, method):
    genuine = links.unsubscribe_token(texted.a.id, "sms", PHONE, "en")
    token = data.draw(tampered_tokens(genuine))
    if same_signed_content(token, genuine):
        return
    response = client.open(f"/unsubscribe/{token}", method=method, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code in (400, 404, 405)
    assert count(ContactOptOut) == 0


@HOSTILE
@given(data=st.data(), score=st.one_of(st.sampled_from(["1", "5"]), header_text))
def test_a_tampered_or_cross_shop_rating_link_records_nothing(client, texted, data, score):
    crossed = links.feedback_token(texted.a.id, texted.case_b.id)
    genuine = links.feedback_token(texted.a.id, texted.case_a.id)
    token = data.draw(st.one_of(st.just(crossed), tampered_tokens(genuine)))
    if token != crossed and same_signed_content(token, genuine):
        return
    response = client.get(f"/feedback/{token}", query_string={"score": score})
    assert response.status_code in (400, 404)
    db.session().expire_all()
    assert count(StockoutCase, StockoutCase.satisfaction_score.is_not(None)) == 0
