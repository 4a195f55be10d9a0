"""`/webhooks` as a plain WSGI callable in front of the Flask app: verify, record, answer, and nothing else.

Every other path goes on to Flask. The intake needs none of Flask's request machinery (request and app
contexts, routing, sessions, response objects, teardown): it reads the raw body, checks the signature and hands
the delivery to the recorder, which keeps its own app context. Skipping that machinery is most of the difference
between the intake and a bare endpoint that only answers 200 (bench/README.md, webhook intake).
"""

from __future__ import annotations

import logging
from typing import Callable, Iterable

from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import EnvironHeaders
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_content_length, get_input_stream

from app.config import Settings
from webhooks.recorder import Recorder, RecordingTimedOut
from webhooks.recording import Envelope, header
from webhooks.signature import InvalidSignature, verify_signature

log = logging.getLogger("webhooks")

PATH = "/webhooks"

_READ_CHUNK = 64 * 1024
_STATUS_LINES = {200: "200 OK", 401: "401 UNAUTHORIZED", 405: "405 METHOD NOT ALLOWED",
                 413: "413 REQUEST ENTITY TOO LARGE", 503: "503 SERVICE UNAVAILABLE"}

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


class BodyTooLarge(Exception):
    """The body is above the configured limit."""


class WebhookFront:
    """Answers `/webhooks` itself (POST only) and passes every other request to the wrapped app."""

    def __init__(self, app: WsgiApp, settings: Settings, recorder: Recorder):
        self._app, self._settings, self._recorder = app, settings, recorder

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH:
            return self._app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "POST":
            start_response(_STATUS_LINES[405], [("Allow", "POST"), ("Content-Length", "0")])
            return []
        start_response(_STATUS_LINES[self.receive(environ)], [("Content-Length", "0")])
        return []

    def receive(self, environ: dict) -> int:
        """The status to answer one delivery with."""
        try:
            body = read_body(environ, self._settings.webhook_max_body_bytes)
        except BodyTooLarge:
            return 413
        headers = EnvironHeaders(environ)
        try:
            verify_signature(body, header(headers, "Hmac-Sha256"), self._settings.webhook_secrets)
        except InvalidSignature as refused:
            log.warning("webhook refused", extra={"reason": str(refused), "remote_addr": environ.get("REMOTE_ADDR")})
            return 401
        envelope = Envelope.from_headers(headers)
        try:
            recorded = self._recorder.record(envelope, body)
        except (SQLAlchemyError, RecordingTimedOut) as error:
            log.error("webhook not recorded (database unavailable or too slow); Shopify will retry",
                      extra={"topic": envelope.topic, "shop": envelope.shop_domain, "error": repr(error)})
            return 503
        if recorded.status not in ("pending", "duplicate"):
            log.info(f"webhook {recorded.status}", extra={"topic": envelope.topic, "shop": envelope.shop_domain,
                                                          "event_id": recorded.event_id, "reason": recorded.reason})
        return 200


def read_body(environ: dict, limit: int) -> bytes:
    """The raw body, refused from its Content-Length, or after limit+1 bytes of a chunked body."""
    declared = get_content_length(environ)
    if declared is not None and declared > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    try:
        stream = get_input_stream(environ, max_content_length=limit)
        while size <= limit:
            chunk = stream.read(min(_READ_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except RequestEntityTooLarge:
        raise BodyTooLarge from None
    if size > limit:
        raise BodyTooLarge
    return b"".join(chunks)
