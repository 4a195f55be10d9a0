"""Shopify session (ID) tokens: verifying the ones App Bridge sends, minting look-alikes for development."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import jwt

LEEWAY_SECONDS = 10
SHOP_HOST = re.compile(r"[a-z0-9][a-z0-9-]*\.myshopify\.com")
_REQUIRED_CLAIMS = ("iss", "dest", "aud", "exp", "nbf")
_LAST_SECOND = 253402300799  # 9999-12-31T23:59:59Z, the last second a datetime can hold


class InvalidSessionToken(Exception):
    """The token is not one Shopify issued for this app and shop just now; reason names the failed check."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SessionToken:
    """What a verified token says: which shop, which staff user, until when."""

    shop: str
    user_id: str | None
    session_id: str | None
    expires_at: datetime
    raw: str


def shop_host(url: str) -> str | None:
    """The `*.myshopify.com` host of a claim URL, or None when the claim names another host."""
    try:
        parts = urlsplit(url if "//" in url else f"https://{url}")
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError:  # "[…]" that is no IPv6 address, or a port out of range
        return None
    if parts.scheme != "https" or not SHOP_HOST.fullmatch(host) or port is not None:
        return None
    return host


def verify_session_token(
    token: str,
    *,
    client_id: str,
    secrets: Sequence[str],
    now: datetime | None = None,
    shop: str | None = None,
    leeway: int = LEEWAY_SECONDS,
) -> SessionToken:
    """Check signature (any of the secrets, for rotation), audience, times, issuer and destination."""
    if not token or not isinstance(token, str):
        raise InvalidSessionToken("missing")
    if not secrets or not client_id:
        raise InvalidSessionToken("app credentials are not configured")
    claims = _decode(token, client_id, secrets)
    _check_times(claims, now or datetime.now(timezone.utc), leeway)
    dest_host = shop_host(str(claims["dest"]))
    iss_host = shop_host(str(claims["iss"]))
    if dest_host is None:
        raise InvalidSessionToken("destination is not a myshopify.com shop")
    if iss_host != dest_host:
        raise InvalidSessionToken("issuer and destination name different shops")
    if shop is not None and shop.lower() != dest_host:
        raise InvalidSessionToken("token is for another shop")
    return SessionToken(
        shop=dest_host,
        user_id=None if claims.get("sub") is None else str(claims["sub"]),
        session_id=claims.get("sid"),
        expires_at=datetime.fromtimestamp(int(claims["exp"]), timezone.utc),
        raw=token,
    )


def _decode(token: str, client_id: str, secrets: Sequence[str]) -> dict:
    options = {"require": list(_REQUIRED_CLAIMS), "verify_exp": False, "verify_nbf": False, "verify_iat": False}
    for secret in secrets:
        try:
            return jwt.decode(token, secret, algorithms=["HS256"], audience=client_id, options=options)
        except jwt.InvalidSignatureError:
            continue
        except jwt.InvalidAudienceError:
            raise InvalidSessionToken("audience is not this app") from None
        except jwt.MissingRequiredClaimError as error:
            raise InvalidSessionToken(f"claim {error.claim!r} is missing") from None
        except jwt.InvalidAlgorithmError:
            raise InvalidSessionToken("algorithm is not HS256") from None
        except jwt.PyJWTError as error:
            raise InvalidSessionToken(f"malformed: {error.__class__.__name__}") from None
    raise InvalidSessionToken("signature does not match the app secret")


def _check_times(claims: dict, now: datetime, leeway: int) -> None:
    try:
        expires, not_before = int(claims["exp"]), int(claims["nbf"])
    except (TypeError, ValueError, OverflowError):  # OverflowError: JSON's Infinity
        raise InvalidSessionToken("exp or nbf is not a number") from None
    if not (0 <= expires <= _LAST_SECOND and 0 <= not_before <= _LAST_SECOND):
        raise InvalidSessionToken("exp or nbf is not a time")
    moment = now.timestamp()
    if moment > expires + leeway:
        raise InvalidSessionToken("expired")
    if moment < not_before - leeway:
        raise InvalidSessionToken("not valid yet")


def mint_session_token(
    shop: str,
    *,
    client_id: str,
    secret: str,
    now: datetime,
    user_id: str = "1",
    lifetime: timedelta = timedelta(minutes=1),
    jti: str | None = None,
) -> str:
    """A token with the claims Shopify puts in one, for development outside the Shopify admin."""
    issued = int(now.timestamp())
    claims = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": client_id,
        "sub": user_id,
        "exp": issued + int(lifetime.total_seconds()),
        "nbf": issued,
        "iat": issued,
        "jti": jti or str(uuid.uuid4()),
        "sid": f"dev-{shop}",
    }
    return jwt.encode(claims, secret, algorithm="HS256")
