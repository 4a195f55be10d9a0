"""The webhook intake, `POST /webhooks`: verify, record, enqueue, answer — nothing else."""

from __future__ import annotations

import logging

from flask import Blueprint, Request, current_app, request
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge

from app import db
from webhooks import dispatch
from webhooks.recording import Envelope, header, record_delivery
from webhooks.signature import InvalidSignature, verify_signature

log = logging.getLogger("webhooks")

bp = Blueprint("webhooks", __name__)

_READ_CHUNK = 64 * 1024


class BodyTooLarge(Exception):
    """The body is above the configured limit."""


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
        # Autocommit: each statement is durable when it returns, and the common case is one round trip.
        with db.engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            recorded = record_delivery(connection, envelope, body)
    except SQLAlchemyError as error:
        log.error("webhook not recorded: database unavailable; Shopify will retry",
                  extra={"topic": envelope.topic, "shop": envelope.shop_domain, "error": repr(error)})
        return "", 503
    if recorded.status == "pending":
        _request_drain(recorded.shop_id, envelope)
    elif recorded.status != "duplicate":
        log.info(f"webhook {recorded.status}", extra={"topic": envelope.topic, "shop": envelope.shop_domain,
                                                      "event_id": recorded.event_id, "reason": recorded.reason})
    return "", 200


def _request_drain(shop_id: int, envelope: Envelope) -> None:
    try:
        dispatch.request_drain(shop_id)
    except RedisError as error:
        # The event is committed; the sweeper enqueues it once Redis is back.
        log.warning("webhook recorded but not enqueued: Redis unavailable",
                    extra={"shop_id": shop_id, "topic": envelope.topic, "error": repr(error)})


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
