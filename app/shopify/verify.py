"""Trust checks over request data: shop domains, install/callback query HMACs, session tokens."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from typing import Mapping
from urllib.parse import urlencode

from app.shopify.errors import InstallRefused, InvalidSessionToken

SHOP_DOMAIN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$")
QUERY_MAX_AGE_SECONDS = 90


def shop_domain(value: str | None) -> str:
    """The shop domain, lower-cased, if it is exactly <name>.myshopify.com; refuse anything else."""
    candidate = value or ""
    if not SHOP_DOMAIN.fullmatch(candidate):
        raise InstallRefused(f"{candidate!r} is not a Shopify shop domain: expected <name>.myshopify.com.")
    return candidate.lower()


def verify_query_hmac(
    params: Mapping[str, str], secrets: tuple[str, ...], now: float | None = None
) -> None:
    """Refuse a query Shopify did not sign with one of our secrets, or signed more than 90 s ago."""
    given = params.get("hmac") or ""
    if not given:
        raise InstallRefused("The request carries no hmac: it did not come from Shopify.", status=401)
    messages = _signed_messages(params)
    expected = [hmac.new(s.encode(), m.encode(), hashlib.sha256).hexdigest() for s in secrets for m in messages]
    # Every candidate is compared (no early exit) so timing says nothing about which one matched.
    matches = [hmac.compare_digest(candidate, given.lower()) for candidate in expected]
    if not any(matches):
        raise InstallRefused(
            "The request's hmac does not match: it was not signed by Shopify with this app's secret.", status=401
        )
    try:
        timestamp = int(params.get("timestamp") or "")
    except ValueError:
        raise InstallRefused("The request's timestamp is missing or not a number.", status=401) from None
    if abs((time.time() if now is None else now) - timestamp) > QUERY_MAX_AGE_SECONDS:
        raise InstallRefused("The request is more than 90 seconds old (or from the future): start again.", status=401)


def _signed_messages(params: Mapping[str, str]) -> tuple[str, ...]:
    """The string Shopify signs, in its documented form and in the URL-encoded form its Node library uses."""
    pairs = sorted((k, v) for k, v in params.items() if k not in ("hmac", "signature"))
    documented = "&".join(
        f"{k.replace('%', '%25').replace('=', '%3D')}={v.replace('%', '%25')}".replace("&", "%26") for k, v in pairs
    )
    return (documented, urlencode(pairs)) if urlencode(pairs) != documented else (documented,)


def decode_session_token(token: str | None, client_id: str, secrets: tuple[str, ...]) -> dict:
    """The claims of an App Bridge session token, checked with ShopifyAPI's decoder under each secret.

    ShopifyAPI's `session_token.decode_from_header` does the checks Shopify documents (HS256, aud,
    exp/nbf with 10 s leeway, required claims, iss and dest on the same myshopify host) as a pure
    function; it takes one secret, so it is called once per secret to honour a rotation window.
    """
    if not token:
        raise InvalidSessionToken("No session token: send it as 'Authorization: Bearer <token>'.")
    from shopify import session_token  # imports all of ShopifyAPI (~1 s): only where a token is checked

    reason = "unknown"
    for secret in secrets:
        try:
            claims = session_token.decode_from_header(f"Bearer {token}", client_id, secret)
        except session_token.SessionTokenError as exc:
            reason = str(exc)
            if "expired" in reason.lower():
                raise InvalidSessionToken(f"The session token has expired ({reason}); fetch a fresh one.") from None
            continue
        return claims
    raise InvalidSessionToken(f"The session token is not valid for this app ({reason}).")


def _host(url: str) -> str:
    return re.sub(r"^https?://", "", url).split("/", 1)[0]


def shop_from_claims(claims: dict) -> str:
    """The shop domain a verified session token is for."""
    return shop_domain(_host(claims["dest"]))
