"""Backends chosen by configuration, and the outbox the demo uses when nothing is configured."""

import pytest

from app.channels.base import OutgoingEmail, OutgoingSms, PermanentDeliveryError, SentReceipt
from app.channels.email_provider import make_email_sender
from app.channels.email_smtp import SmtpSender
from app.channels.outbox import Outbox
from app.channels.sms_provider import SMS_PROVIDERS, make_sms_sender
from app.channels.sms_twilio import TwilioSms
from app.config import Settings
from tests.support.sms_provider import FakeTwilio
from tests.support.smtp_server import CaptureSmtpServer

EMAIL = OutgoingEmail(
    "emma@example.com", "Emma", "Order #1001 is on its way", "Hi Emma,\n", None,
    "Juniper & Clay", "orders@juniperandclay.com", None, None, "notification:7:email",
)
SMS = OutgoingSms("+14155550123", "[Juniper & Clay] Order #1001 is on its way.", "notification:7:sms")


def test_twilio_is_built_from_the_apps_settings_and_sends():
    with FakeTwilio("AC" + "3" * 32, "tok") as twilio:
        settings = Settings(
            sms_provider="twilio", twilio_account_sid="AC" + "3" * 32, twilio_auth_token="tok",
            twilio_from_number="+14155550100", twilio_base_url=twilio.base_url, sms_rate_per_second=50.0,
        )
        sender = make_sms_sender(settings.sms_provider, settings)
        assert isinstance(sender, TwilioSms)
        assert sender.pacer.interval == pytest.approx(0.02)
        receipt = sender.send(SMS)
        assert receipt.provider == "twilio" and receipt.provider_id == twilio.messages[0].sid


def test_a_plain_mapping_works_too_and_missing_secrets_are_named():
    sender = make_sms_sender("twilio", {"twilio_account_sid": "AC1", "twilio_auth_token": "t",
                                        "twilio_messaging_service_sid": "MG1"})
    assert isinstance(sender, TwilioSms) and sender.messaging_service_sid == "MG1"
    with pytest.raises(ValueError, match="TWILIO_ACCOUNT_SID"):
        make_sms_sender("twilio", Settings(sms_provider="twilio"))
    with pytest.raises(ValueError, match="TWILIO_FROM_NUMBER"):
        make_sms_sender("twilio", {"twilio_account_sid": "AC1", "twilio_auth_token": "t"})


def test_an_unknown_provider_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="outbox"):
        make_sms_sender("alibaba", {})
    assert {"twilio", "outbox"} <= set(SMS_PROVIDERS)
    with pytest.raises(ValueError, match="smtp"):
        make_email_sender("sendgrid", {})


def test_smtp_is_built_from_the_apps_settings_and_sends():
    with CaptureSmtpServer() as server:
        settings = Settings(email_backend="smtp", smtp_host=server.host, smtp_port=server.port)
        sender = make_email_sender(settings.email_backend, settings)
        assert isinstance(sender, SmtpSender)
        sender.send(EMAIL)
        assert server.messages[0].message["Subject"] == "Order #1001 is on its way"


def test_the_outbox_is_the_default_and_keeps_what_it_accepts():
    settings = Settings()
    email_outbox = make_email_sender(settings.email_backend, settings)
    sms_outbox = make_sms_sender(settings.sms_provider, settings)
    assert isinstance(email_outbox, Outbox) and isinstance(sms_outbox, Outbox)
    first = email_outbox.send(EMAIL)
    assert first == SentReceipt("outbox", first.provider_id) and first.provider_id.startswith("outbox-")
    assert email_outbox.send(EMAIL) == first
    assert sms_outbox.send(SMS).provider == "outbox"
    assert email_outbox.sent == [EMAIL, EMAIL] and sms_outbox.sent == [SMS]


def test_the_outbox_refuses_what_a_real_provider_would():
    outbox = Outbox()
    with pytest.raises(PermanentDeliveryError):
        outbox.send(OutgoingSms("12345", "hi", "k"))
    results = outbox.send_many([EMAIL, OutgoingEmail(**{**EMAIL.__dict__, "to": "nobody"})])
    assert isinstance(results[0], SentReceipt) and isinstance(results[1], PermanentDeliveryError)
    assert outbox.sent == [EMAIL]
