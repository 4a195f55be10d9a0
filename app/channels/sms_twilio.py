"""SMS through Twilio's Messages API, paced under the sender's rate; and trusting Twilio's inbound webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import phonenumbers

from app.channels.base import (
    DeliveryError,
    OutgoingSms,
    PermanentDeliveryError,
    SentReceipt,
    TransientDeliveryError,
)
from app.channels.keywords import is_opt_in, is_opt_out
from app.channels.pacing import Pacer
from app.tls import tls_context

API_VERSION = "2010-04-01"
# Sender throughput Twilio documents for US traffic; pass the one that matches the sending number.
RATE_LONG_CODE, RATE_TOLL_FREE, RATE_SHORT_CODE = 1.0, 3.0, 100.0


def e164(number: str) -> str:
    """The number in E.164 form, or PermanentDeliveryError when it cannot receive an SMS anywhere."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException as error:
        raise PermanentDeliveryError(f"{number!r} is not a phone number with a +country code ({error})") from error
    if not phonenumbers.is_valid_number(parsed):
        raise PermanentDeliveryError(f"{number!r} is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _error_from(response: httpx.Response) -> DeliveryError:
    """A Twilio error answer as ours: throttling and outages are transient, the rest is about this message."""
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    code, message = payload.get("code"), payload.get("message") or response.reason_phrase
    reason = f"Twilio {response.status_code} error {code}: {message}"
    if payload.get("more_info"):
        reason += f" ({payload['more_info']})"
    status = response.status_code
    if status == 429 or status >= 500:
        retry_after = response.headers.get("Retry-After")
        return TransientDeliveryError(reason, float(retry_after) if retry_after and retry_after.isdigit() else None)
    if status in (401, 403):
        # Our credentials, not the recipient: the message is fine once the account is fixed.
        return TransientDeliveryError(reason)
    return PermanentDeliveryError(reason)


class TwilioSms:
    """Sends SMS with Twilio from one number or Messaging Service, never faster than rate_per_second."""

    provider = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        *,
        base_url: str = "https://api.twilio.com",
        timeout: float = 10.0,
        rate_per_second: float = RATE_LONG_CODE,
        status_callback: str | None = None,
    ):
        if not (from_number or messaging_service_sid):
            raise ValueError("TwilioSms needs a from_number or a messaging_service_sid")
        self.account_sid = account_sid
        self.from_number, self.messaging_service_sid = from_number, messaging_service_sid
        self.status_callback = status_callback
        self.pacer = Pacer(rate_per_second)
        self._client = httpx.Client(base_url=base_url, auth=(account_sid, auth_token), timeout=timeout,
                                    verify=tls_context())

    def __enter__(self) -> TwilioSms:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def request_form(self, sms: OutgoingSms) -> dict[str, str]:
        """The form fields of the Create Message request, after checking the number and body."""
        if not sms.body.strip():
            raise PermanentDeliveryError("the SMS body is empty")
        form = {"To": e164(sms.to), "Body": sms.body}
        if self.messaging_service_sid:
            form["MessagingServiceSid"] = self.messaging_service_sid
        else:
            form["From"] = self.from_number or ""
        if self.status_callback:
            form["StatusCallback"] = self.status_callback
        return form

    def send(self, sms: OutgoingSms) -> SentReceipt:
        """Send one SMS; raises TransientDeliveryError (retry later) or PermanentDeliveryError."""
        form = self.request_form(sms)
        try:
            # Inside the slot: a shared pacer counts the send until Twilio has answered it.
            with self.pacer.slot():
                response = self._client.post(f"/{API_VERSION}/Accounts/{self.account_sid}/Messages.json", data=form)
        except httpx.TransportError as error:
            raise TransientDeliveryError(f"Twilio could not be reached: {error!r}") from error
        if response.status_code in (200, 201):
            return SentReceipt(self.provider, response.json()["sid"])
        raise _error_from(response)


def _values(params: Any, name: str) -> list[str]:
    if hasattr(params, "getlist"):
        return [str(value) for value in params.getlist(name)]
    value = params[name]
    return [str(item) for item in value] if isinstance(value, (list, tuple)) else [str(value)]


def inbound_signature(url: str, params: Mapping[str, Any], auth_token: str) -> str:
    """Twilio's X-Twilio-Signature: HMAC-SHA1 of the URL followed by each sorted name and value, base64."""
    pairs = (name + value for name in sorted(set(params)) for value in sorted(set(_values(params, name))))
    payload = url + "".join(pairs)
    digest = hmac.new(auth_token.encode("utf-8"), payload.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _url_variants(url: str) -> set[str]:
    """The URL as given, with its default port, and without it: proxies differ in which one Twilio signed."""
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    variants = {url}
    if default and parts.port in (None, default):
        variants.add(urlunsplit(parts._replace(netloc=f"{host}:{default}")))
        variants.add(urlunsplit(parts._replace(netloc=host)))
    return variants


class InvalidSignature(ValueError):
    """An inbound request that Twilio did not sign with any of our auth tokens."""


def verify_inbound_signature(
    url: str, params: Mapping[str, Any], signature: str | None, auth_token: str | Sequence[str]
) -> None:
    """Accept a webhook signed with any current auth token (rotation); raise InvalidSignature otherwise."""
    if not signature:
        raise InvalidSignature("the request has no X-Twilio-Signature header")
    tokens = [auth_token] if isinstance(auth_token, str) else list(auth_token)
    given = signature.encode("utf-8")  # bytes: compare_digest refuses non-ASCII text
    for token in tokens:
        for variant in _url_variants(url):
            if hmac.compare_digest(inbound_signature(variant, params, token).encode("ascii"), given):
                return
    raise InvalidSignature("the X-Twilio-Signature does not match this URL and body")


@dataclass(frozen=True)
class InboundSms:
    from_: str
    to: str
    body: str
    message_sid: str
    is_opt_out: bool
    is_opt_in: bool


def parse_inbound(params: Mapping[str, Any]) -> InboundSms:
    """A customer's reply from Twilio's webhook form, with whether it is a STOP (or START) word."""
    body = str(params.get("Body", ""))
    return InboundSms(
        from_=str(params.get("From", "")),
        to=str(params.get("To", "")),
        body=body,
        message_sid=str(params.get("MessageSid") or params.get("SmsSid") or ""),
        is_opt_out=is_opt_out(body),
        is_opt_in=is_opt_in(body),
    )
