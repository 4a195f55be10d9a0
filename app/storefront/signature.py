"""Trust check for requests Shopify forwards through the app proxy (hex HMAC-SHA256 over the sorted query)."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence

MAX_SKEW_SECONDS = 90
SINGLE_VALUED = ("shop", "signature", "timestamp")
SHOP_DOMAIN = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$")


class ProxySignatureError(Exception):
    """The request did not come from Shopify's app proxy, or came too late."""


def proxy_message(pairs: Iterable[tuple[str, str]]) -> str:
    """`k=v` for every parameter but the signature, sorted by key, no separator; repeated values joined by ","."""
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        if key != "signature":
            grouped.setdefault(key, []).append(value)
    return "".join(f"{key}={','.join(grouped[key])}" for key in sorted(grouped))


def sign_proxy_query(pairs: Iterable[tuple[str, str]], secret: str) -> str:
    """The signature Shopify would add to these parameters."""
    return hmac.new(secret.encode(), proxy_message(pairs).encode(), hashlib.sha256).hexdigest()


def verify_proxy_query(pairs: Sequence[tuple[str, str]], secrets: Sequence[str], now: float) -> dict[str, str]:
    """The single-valued parameters of a genuine, fresh proxy request; ProxySignatureError otherwise."""
    counts: dict[str, int] = {}
    for key, _ in pairs:
        counts[key] = counts.get(key, 0) + 1
    for key in SINGLE_VALUED:
        if counts.get(key, 0) != 1:
            raise ProxySignatureError(f"expected exactly one {key!r} parameter, got {counts.get(key, 0)}")
    params = {key: value for key, value in pairs if counts[key] == 1}
    raw_timestamp = params["timestamp"]
    # Plain digits of a sane length: a longer number would overflow the float comparison below.
    if not (raw_timestamp.isascii() and raw_timestamp.isdigit() and len(raw_timestamp) <= 12):
        raise ProxySignatureError("the timestamp is not a number")
    timestamp = int(raw_timestamp)
    if abs(now - timestamp) > MAX_SKEW_SECONDS:
        raise ProxySignatureError("the timestamp is more than 90 seconds away from now")
    if not SHOP_DOMAIN.match(params["shop"]):
        raise ProxySignatureError("the shop is not a myshopify.com domain")
    given = params["signature"].lower().encode()  # bytes: compare_digest refuses non-ASCII text
    if not any(hmac.compare_digest(sign_proxy_query(pairs, secret).encode(), given) for secret in secrets if secret):
        raise ProxySignatureError("the signature does not match")
    return params
