"""A local HTTP server speaking Twilio's Messages API as documented, and a way to send it signed inbound SMS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate

import httpx
import phonenumbers
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json$")


@contextmanager
def serve_wsgi(app) -> Iterator[str]:
    """Run a WSGI app on a free 127.0.0.1 port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@dataclass(frozen=True)
class ReceivedSms:
    sid: str
    to: str
    from_: str | None
    messaging_service_sid: str | None
    body: str
    params: dict
    arrived_at: float


def _error(status: int, code: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    more_info = f"https://www.twilio.com/docs/errors/{code}"
    payload = {"code": code, "message": message, "more_info": more_info, "status": status}
    return Response(json.dumps(payload), status=status, headers=headers, mimetype="application/json")


class FakeTwilio:
    """Twilio's Create Message endpoint: basic auth, Twilio's validation errors, and a per-second limit (429/20429)."""

    def __init__(
        self,
        account_sid: str = "AC" + "0" * 32,
        auth_token: str = "test-auth-token",
        *,
        per_second: float | None = None,
    ):
        self.account_sid, self.auth_token = account_sid, auth_token
        self.per_second = per_second
        self.unsubscribed: set[str] = set()
        self.outage = False
        self.messages: list[ReceivedSms] = []
        self.requests = 0
        self.throttled = 0
        self._tokens = per_second or 0.0
        self._refilled = time.monotonic()
        self._lock = threading.Lock()
        self._serving = None

    def __enter__(self) -> FakeTwilio:
        self._serving = serve_wsgi(self.wsgi)
        self.base_url = self._serving.__enter__()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._serving.__exit__(*exc_info)

    def _allowed(self) -> bool:
        """A token bucket holding one second's worth: bursts above the rate are refused as Twilio does."""
        if self.per_second is None:
            return True
        now = time.monotonic()
        self._tokens = min(self.per_second, self._tokens + (now - self._refilled) * self.per_second)
        self._refilled = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    def wsgi(self, environ, start_response):
        request = Request(environ)
        with self._lock:
            self.requests += 1
            response = self._handle(request)
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        match = _MESSAGES_PATH.match(request.path)
        if request.method != "POST" or match is None:
            return _error(404, 20404, "The requested resource was not found")
        auth = request.authorization
        if auth is None or (auth.username, auth.password) != (self.account_sid, self.auth_token):
            return _error(401, 20003, "Authenticate")
        if match["sid"] != self.account_sid:
            return _error(404, 20404, f"The requested resource {request.path} was not found")
        if self.outage:
            return _error(503, 20503, "Service Unavailable")
        if not self._allowed():
            self.throttled += 1
            return _error(429, 20429, "Too Many Requests", {"Retry-After": "1"})
        return self._create(request.form)

    def _create(self, form) -> Response:
        to, body = form.get("To"), form.get("Body")
        sender, service = form.get("From"), form.get("MessagingServiceSid")
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        if not (sender or service):
            return _error(400, 21603, "A 'From' phone number is required.")
        if not body:
            return _error(400, 21602, "Message body is required.")
        if len(body) > 1600:
            return _error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        try:
            valid = phonenumbers.is_valid_number(phonenumbers.parse(to, None))
        except phonenumbers.NumberParseException:
            valid = False
        if not valid:
            return _error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if to in self.unsubscribed:
            return _error(400, 21610, "Attempt to send to unsubscribed recipient")
        sid = "SM" + secrets.token_hex(16)
        self.messages.append(ReceivedSms(sid, to, sender, service, body, dict(form), time.monotonic()))
        return Response(json.dumps(self._resource(sid, to, sender, service, body)), 201, mimetype="application/json")

    def _resource(self, sid: str, to: str, sender: str | None, service: str | None, body: str) -> dict:
        now = formatdate(usegmt=False)
        return {
            "sid": sid, "account_sid": self.account_sid, "to": to, "from": sender, "messaging_service_sid": service,
            "body": body, "status": "accepted" if service else "queued", "direction": "outbound-api",
            "num_segments": "1", "num_media": "0", "api_version": "2010-04-01", "date_created": now,
            "date_updated": now, "date_sent": None, "price": None, "price_unit": "USD", "error_code": None,
            "error_message": None, "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
        }


def sign(url: str, params: Mapping[str, str], auth_token: str) -> str:
    """X-Twilio-Signature as Twilio computes it, written here independently of the code under test."""
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def post_inbound_sms(
    url: str, *, from_: str, to: str, body: str, auth_token: str, account_sid: str = "AC" + "0" * 32
) -> httpx.Response:
    """POST an incoming SMS to our webhook URL the way Twilio does: form fields, signed."""
    sid = "SM" + secrets.token_hex(16)
    params = {
        "MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": account_sid,
        "From": from_, "To": to, "Body": body, "NumMedia": "0", "NumSegments": "1", "ApiVersion": "2010-04-01",
    }
    headers = {"X-Twilio-Signature": sign(url, params, auth_token)}
    return httpx.post(url, data=params, headers=headers, timeout=5)
