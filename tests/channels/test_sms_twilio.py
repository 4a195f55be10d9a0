"""SMS through a local server speaking Twilio's Messages API: success, refusals, throttling and pacing."""

import httpx
import pytest

from app.channels.base import OutgoingSms, PermanentDeliveryError, SentReceipt, TransientDeliveryError
from app.channels.sms_twilio import TwilioSms, e164
from tests.support.sms_provider import FakeTwilio
from tests.support.smtp_server import free_port

SID = "AC" + "1" * 32
TOKEN = "twilio-test-token"
FROM = "+14155550100"


def sms(to="+8613800138000", body="【山野手作】您订单#1001中的茶壶缺货", key="notification:1:sms"):
    return OutgoingSms(to=to, body=body, idempotency_key=key)


@pytest.fixture
def twilio():
    with FakeTwilio(SID, TOKEN) as fake:
        yield fake


def sender_for(fake, **options):
    options.setdefault("rate_per_second", 100)
    return TwilioSms(SID, options.pop("auth_token", TOKEN), options.pop("from_number", FROM),
                     base_url=fake.base_url, timeout=5, **options)


def test_an_sms_is_accepted_and_the_receipt_carries_twilios_sid(twilio):
    with sender_for(twilio, status_callback="https://app.example.com/twilio/status") as sender:
        receipt = sender.send(sms())
    [received] = twilio.messages
    assert receipt == SentReceipt("twilio", received.sid)
    assert received.sid.startswith("SM") and len(received.sid) == 34
    assert received.to == "+8613800138000" and received.from_ == FROM
    assert received.body == "【山野手作】您订单#1001中的茶壶缺货"
    assert received.params["StatusCallback"] == "https://app.example.com/twilio/status"
    assert "MessagingServiceSid" not in received.params


def test_a_messaging_service_sends_instead_of_a_number(twilio):
    with TwilioSms(SID, TOKEN, messaging_service_sid="MG" + "2" * 32, base_url=twilio.base_url) as sender:
        sender.send(sms())
    [received] = twilio.messages
    assert received.messaging_service_sid == "MG" + "2" * 32 and received.from_ is None


def test_numbers_are_sent_in_e164(twilio):
    with sender_for(twilio) as sender:
        sender.send(sms(to="+1 (415) 555-0123"))
        sender.send(sms(to="+886 912 345 678"))
    assert [received.to for received in twilio.messages] == ["+14155550123", "+886912345678"]


@pytest.mark.parametrize("number", ["12345", "13800138000", "+1 555 0100", "+86 123", "call me", ""])
def test_an_invalid_number_never_reaches_twilio(twilio, number):
    with sender_for(twilio) as sender, pytest.raises(PermanentDeliveryError):
        sender.send(sms(to=number))
    assert twilio.requests == 0


@pytest.mark.parametrize("number", ["+14155550123", "+8613800138000", "+886912345678", "+85291234567"])
def test_e164_accepts_real_numbers(number):
    assert e164(number) == number


def test_an_empty_body_is_refused_before_sending(twilio):
    with sender_for(twilio) as sender, pytest.raises(PermanentDeliveryError, match="empty"):
        sender.send(sms(body="  "))
    assert twilio.requests == 0


def test_an_unsubscribed_recipient_is_permanent(twilio):
    twilio.unsubscribed.add("+8613800138000")
    with sender_for(twilio) as sender, pytest.raises(PermanentDeliveryError, match="21610"):
        sender.send(sms())


def test_a_body_twilio_refuses_is_permanent_with_its_code(twilio):
    with sender_for(twilio) as sender, pytest.raises(PermanentDeliveryError, match="21617") as refused:
        sender.send(sms(body="x" * 1601))
    assert "https://www.twilio.com/docs/errors/21617" in refused.value.reason


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"From": FROM, "Body": "hi"}, 21604),
        ({"To": "+14155550123", "Body": "hi"}, 21603),
        ({"To": "+14155550123", "From": FROM}, 21602),
        ({"To": "12", "From": FROM, "Body": "hi"}, 21211),
    ],
)
def test_the_local_twilio_validates_as_twilio_documents(twilio, form, code):
    response = httpx.post(f"{twilio.base_url}/2010-04-01/Accounts/{SID}/Messages.json", data=form, auth=(SID, TOKEN))
    assert response.status_code == 400
    assert response.json() == {
        "code": code, "message": response.json()["message"], "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": 400,
    }
    assert twilio.messages == []


def test_throttling_is_transient_with_the_wait_twilio_asks_for():
    with FakeTwilio(SID, TOKEN, per_second=1) as twilio, sender_for(twilio, rate_per_second=50) as sender:
        sender.send(sms(key="a"))
        with pytest.raises(TransientDeliveryError, match="20429") as throttled:
            sender.send(sms(key="b"))
        assert throttled.value.retry_after == 1.0
        assert twilio.throttled == 1


def test_an_outage_is_transient(twilio):
    twilio.outage = True
    with sender_for(twilio) as sender, pytest.raises(TransientDeliveryError, match="503"):
        sender.send(sms())


def test_wrong_credentials_are_transient_until_fixed(twilio):
    with sender_for(twilio, auth_token="wrong") as sender, pytest.raises(TransientDeliveryError, match="20003"):
        sender.send(sms())


def test_twilio_unreachable_is_transient():
    with TwilioSms(SID, TOKEN, FROM, base_url=f"http://127.0.0.1:{free_port()}", timeout=2) as sender:
        with pytest.raises(TransientDeliveryError, match="could not be reached"):
            sender.send(sms())


def test_a_sender_needs_a_number_or_a_messaging_service():
    with pytest.raises(ValueError):
        TwilioSms(SID, TOKEN)


def test_sending_never_exceeds_the_rate():
    rate, count = 5, 12
    with FakeTwilio(SID, TOKEN, per_second=rate) as twilio, sender_for(twilio, rate_per_second=rate) as sender:
        for index in range(count):
            sender.send(sms(key=f"paced-{index}"))
    arrivals = [received.arrived_at for received in twilio.messages]
    assert len(arrivals) == count and twilio.throttled == 0
    # Counted where the messages arrive: no second there holds more than the rate, however the requests travelled.
    assert max(sum(1 for t in arrivals if start <= t < start + 1) for start in arrivals) <= rate
    assert arrivals[-1] - arrivals[0] >= 2.0  # the 6th and the 11th each waited for a second after an answer
