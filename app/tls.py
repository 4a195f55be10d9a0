"""The process's one TLS context for outgoing HTTPS (Shopify, the SMS provider)."""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """A verifying context as httpx builds it (certifi's CA bundle, or SSL_CERT_FILE/SSL_CERT_DIR).

    Building one loads the whole CA bundle, 10–70 ms of CPU: once per client, that was a fifth of a busy
    worker's time in the flash-sale bench. A context is safe to share between threads and connections.
    """
    return httpx.create_ssl_context()
