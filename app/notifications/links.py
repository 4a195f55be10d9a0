"""Signed links in our messages: unsubscribe and satisfaction answers (choice links are app.choices.links)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

UNSUBSCRIBE_SALT = "unsubscribe"
FEEDBACK_SALT = "feedback"
# The law wants an unsubscribe link to keep working well after the message; a year and a month is generous.
UNSUBSCRIBE_MAX_AGE = timedelta(days=400)
FEEDBACK_MAX_AGE = timedelta(days=90)
SCORES = (1, 2, 3, 4, 5)


class LinkRefused(Exception):
    """A link we did not sign, that was altered, or that is too old."""


@dataclass(frozen=True)
class Unsubscribe:
    shop_id: int
    channel: str
    address: str
    locale: str


@dataclass(frozen=True)
class Feedback:
    shop_id: int
    case_id: int


def _settings():
    return current_app.config["SETTINGS"]


def _serializer(salt: str, secret_key: str | None) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key or _settings().secret_key, salt=salt)


def _base() -> str:
    return _settings().app_url.rstrip("/")


def _load(salt: str, token: str, max_age: timedelta, secret_key: str | None) -> dict:
    try:
        payload = _serializer(salt, secret_key).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise LinkRefused("this link has expired") from None
    except BadSignature:
        raise LinkRefused("this link was not signed by us") from None
    if not isinstance(payload, dict):
        raise LinkRefused("this link names nothing")
    return payload


def unsubscribe_token(shop_id: int, channel: str, address: str, locale: str, *, secret_key: str | None = None) -> str:
    return _serializer(UNSUBSCRIBE_SALT, secret_key).dumps({"s": shop_id, "ch": channel, "a": address, "l": locale})


def unsubscribe_link(token: str) -> str:
    return f"{_base()}/unsubscribe/{token}"


def unsubscribe_url_in(text: str | None) -> str | None:
    """The unsubscribe link a composed message already carries (so its header can repeat it unsigned again)."""
    match = re.search(re.escape(f"{_base()}/unsubscribe/") + r"[A-Za-z0-9_.\-]+", text or "")
    return match.group(0) if match else None


def unsubscribe_url(shop_id: int, channel: str, address: str, locale: str) -> str:
    """`<APP_URL>/unsubscribe/<token>`: one address of one shop's customers, on one channel."""
    return unsubscribe_link(unsubscribe_token(shop_id, channel, address, locale))


def read_unsubscribe(token: str, *, secret_key: str | None = None) -> Unsubscribe:
    payload = _load(UNSUBSCRIBE_SALT, token, UNSUBSCRIBE_MAX_AGE, secret_key)
    try:
        return Unsubscribe(int(payload["s"]), str(payload["ch"]), str(payload["a"]), str(payload.get("l") or "en"))
    except (KeyError, TypeError, ValueError):
        raise LinkRefused("this link names no address") from None


def feedback_token(shop_id: int, case_id: int, *, secret_key: str | None = None) -> str:
    return _serializer(FEEDBACK_SALT, secret_key).dumps({"s": shop_id, "c": case_id})


def rating_urls(shop_id: int, case_id: int) -> tuple[str, ...]:
    """Five links, `<APP_URL>/feedback/<token>?score=1` to `5`, sharing one token."""
    url = f"{_base()}/feedback/{feedback_token(shop_id, case_id)}"
    return tuple(f"{url}?score={score}" for score in SCORES)


def read_feedback(token: str, *, secret_key: str | None = None) -> Feedback:
    payload = _load(FEEDBACK_SALT, token, FEEDBACK_MAX_AGE, secret_key)
    try:
        return Feedback(int(payload["s"]), int(payload["c"]))
    except (KeyError, TypeError, ValueError):
        raise LinkRefused("this link names no case") from None
