"""The webhook intake, `POST /webhooks`: verify, record and enqueue (webhooks/recorder.py), answer — nothing else."""

from __future__ import annotations

import logging

from flask import Blueprint, Request, current_app, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from webhooks.recorder import Recorder, RecordingTimedOut
from webhooks.recording import Envelope, header
from webhooks.signature import InvalidSignature, verify_signature

log = logging.getLogger("webhooks")

bp = Blueprint("webhooks", __name__)

_READ_CHUNK = 64 * 1024


class BodyTooLarge(Exception):
    """The body is above the configured limit."""


@bp.record_once
def _make_recorder(state) -> None:
    state.app.extensions["webhooks.recorder"] = Recorder(state.app)


@bp.post("/webhooks")
def receive():
    settings = current_app.config["SETTINGS"]
    try:
        body = read_body(request, settings.webhook_max_body_bytes)
    except BodyTooLarge:
        return "", 413
    try:
        verify_signature(body, header(request.headers, "Hmac-Sha256"), settings.webhook_secrets)
    except InvalidSignature as refused:
        log.warning("webhook refused", extra={"reason": str(refused), "remote_addr": request.remote_addr})
        return "", 401
    envelope = Envelope.from_headers(request.headers)
    try:
        recorded = current_app.extensions["webhooks.recorder"].record(envelope, body)
    except (SQLAlchemyError, RecordingTimedOut) as error:
        log.error("webhook not recorded (database unavailable or too slow); Shopify will retry",
                  extra={"topic": envelope.topic, "shop": envelope.shop_domain, "error": repr(error)})
        return "", 503
    if recorded.status not in ("pending", "duplicate"):
        log.info(f"webhook {recorded.status}", extra={"topic": envelope.topic, "shop": envelope.shop_domain,
                                                      "event_id": recorded.event_id, "reason": recorded.reason})
    return "", 200


def read_body(incoming: Request, limit: int) -> bytes:
    """The raw body, refused from its Content-Length, or after limit+1 bytes of a chunked body."""
    if incoming.content_length is not None and incoming.content_length > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    try:
        while size <= limit:
            chunk = incoming.stream.read(min(_READ_CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except RequestEntityTooLarge:
        raise BodyTooLarge from None
    if size > limit:
        raise BodyTooLarge
    return b"".join(chunks)
