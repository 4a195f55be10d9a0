"""Signed links to a case's choice page: tamper-proof, expiring, no login, no guessable ids."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

CHOICE_SALT = "choice"
FORM_SALT = "choice-form"
LINK_MAX_AGE = timedelta(days=30)
FORM_MAX_AGE = timedelta(days=2)


class LinkExpired(Exception):
    """The link was genuine but is older than its maximum age."""


class LinkInvalid(Exception):
    """The link was not signed by us, or was altered."""


@dataclass(frozen=True)
class CaseRef:
    """The case a genuine link names."""

    shop_id: int
    case_id: int


def _serializer(secret_key: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=salt)


def _secret() -> str:
    return current_app.config["SETTINGS"].secret_key


def choice_token(shop_id: int, case_id: int, *, secret_key: str | None = None) -> str:
    """The token naming one case of one shop, signed with the app secret."""
    return _serializer(secret_key or _secret(), CHOICE_SALT).dumps({"s": int(shop_id), "c": int(case_id)})


def read_choice_token(token: str, *, secret_key: str | None = None, max_age: timedelta = LINK_MAX_AGE) -> CaseRef:
    """The case a token names; LinkExpired or LinkInvalid when it cannot be trusted."""
    serializer = _serializer(secret_key or _secret(), CHOICE_SALT)
    try:
        payload = serializer.loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise LinkExpired("this link is older than its maximum age") from None
    except BadSignature:
        raise LinkInvalid("this link was not signed by us") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int) or not isinstance(payload.get("c"), int):
        raise LinkInvalid("this link does not name a case")
    return CaseRef(shop_id=payload["s"], case_id=payload["c"])


def choice_url(shop_id: int, case_id: int, option: str | None = None) -> str:
    """`<APP_URL>/c/<token>`, optionally opening on one option."""
    base = current_app.config["SETTINGS"].app_url.rstrip("/")
    url = f"{base}/c/{choice_token(shop_id, case_id)}"
    return f"{url}?option={option}" if option else url


def cancel_url(shop_id: int, case_id: int) -> str:
    """The one-tap cancel page of a waiting case: a full refund in one button."""
    base = current_app.config["SETTINGS"].app_url.rstrip("/")
    return f"{base}/c/{choice_token(shop_id, case_id)}/cancel"


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def form_token(link_token: str, *, secret_key: str | None = None) -> str:
    """A CSRF token for the page served at one signed link (the customer has no session)."""
    return _serializer(secret_key or _secret(), FORM_SALT).dumps(_fingerprint(link_token))


def form_token_matches(link_token: str, submitted: str | None, *, secret_key: str | None = None) -> bool:
    """Whether a posted form came from a page we served for this very link, recently."""
    if not submitted:
        return False
    try:
        bound = _serializer(secret_key or _secret(), FORM_SALT).loads(
            submitted, max_age=int(FORM_MAX_AGE.total_seconds())
        )
    except BadSignature:
        return False
    return bound == _fingerprint(link_token)
