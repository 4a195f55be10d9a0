"""Shopify's webhook signature: base64 HMAC-SHA256 of the raw body bytes with the app secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Iterable


class InvalidSignature(Exception):
    """The X-Shopify-Hmac-Sha256 header is missing or does not match the body under any accepted secret."""


def sign(body: bytes, secret: str) -> str:
    """The header value Shopify sends for this body (also used by tests and the benchmark)."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify_signature(body: bytes, header_value: str | None, secrets: Iterable[str]) -> None:
    """Raise InvalidSignature unless the header is the body's HMAC under one of the secrets (rotation)."""
    if not header_value:
        raise InvalidSignature("missing signature header")
    try:
        given = base64.b64decode(header_value.strip(), validate=True)
    except ValueError:
        raise InvalidSignature("signature is not base64") from None
    matched = False
    for secret in secrets:
        expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()
        # Every secret is compared, so the time taken does not tell which one (if any) matched.
        matched |= hmac.compare_digest(given, expected)
    if not matched:
        raise InvalidSignature("signature does not match the body")
