"""Which SMS backend to use, by name: one entry per provider module (Twilio, the outbox, Alibaba Cloud next)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.channels.base import SmsSender
from app.channels.outbox import Outbox
from app.channels.settings import setting
from app.channels.sms_twilio import RATE_LONG_CODE, TwilioSms


def _twilio(settings: Any) -> SmsSender:
    account_sid, auth_token = setting(settings, "twilio_account_sid"), setting(settings, "twilio_auth_token")
    service = setting(settings, "twilio_messaging_service_sid", "") or None
    from_number = setting(settings, "twilio_from_number", "") or None
    if not (service or from_number):
        raise ValueError("TWILIO_FROM_NUMBER (or TWILIO_MESSAGING_SERVICE_SID) is required for SMS_PROVIDER=twilio")
    return TwilioSms(
        account_sid,
        auth_token,
        from_number,
        service,
        base_url=setting(settings, "twilio_base_url", "https://api.twilio.com"),
        timeout=float(setting(settings, "sms_timeout", 10.0)),
        rate_per_second=float(setting(settings, "sms_rate_per_second", RATE_LONG_CODE)),
        status_callback=setting(settings, "twilio_status_callback_url", "") or None,
    )


def _outbox(settings: Any) -> SmsSender:
    return Outbox()


SMS_PROVIDERS: dict[str, Callable[[Any], SmsSender]] = {"twilio": _twilio, "outbox": _outbox}


def make_sms_sender(provider_name: str, settings: Any) -> SmsSender:
    """The SMS sender named by SMS_PROVIDER, built from the app's Settings (or a mapping of the same names)."""
    try:
        factory = SMS_PROVIDERS[provider_name]
    except KeyError:
        raise ValueError(f"SMS_PROVIDER must be one of {sorted(SMS_PROVIDERS)}, not {provider_name!r}") from None
    return factory(settings)
