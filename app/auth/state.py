"""The single-use `state` nonce of the authorization-code grant: in Redis with a TTL, and in a signed cookie."""

from __future__ import annotations

import hmac
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app import queues
from app.shopify.errors import InstallRefused

COOKIE = "stockout_oauth_state"
TTL_SECONDS = 600


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="shopify-oauth-state")


def issue(shop: str) -> tuple[str, str]:
    """A fresh nonce for `shop`, and the signed cookie value that binds it to this browser."""
    nonce = secrets.token_urlsafe(24)
    queues.redis().set(_key(nonce), shop, ex=TTL_SECONDS)
    return nonce, _serializer().dumps({"nonce": nonce, "shop": shop})


def consume(nonce: str | None, cookie: str | None, shop: str) -> None:
    """Accept the callback's state once: it must match the cookie, be unspent, and be for this shop."""
    if not nonce or not cookie:
        raise InstallRefused("The install state is missing: start the install again from Shopify.", status=403)
    try:
        signed = _serializer().loads(cookie, max_age=TTL_SECONDS)
    except BadSignature:
        raise InstallRefused("The install state cookie is forged or expired: start the install again.", status=403)
    if not hmac.compare_digest(str(signed.get("nonce", "")), nonce):
        raise InstallRefused("The install state does not match this browser's: start the install again.", status=403)
    stored = queues.redis().getdel(_key(nonce))
    if stored is None:
        raise InstallRefused("The install state was already used or has expired: start the install again.", status=403)
    if stored.decode() != shop or signed.get("shop") != shop:
        raise InstallRefused("The install state was issued for another shop.", status=403)


def _key(nonce: str) -> str:
    return f"auth:state:{nonce}"
