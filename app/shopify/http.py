"""HTTP to Shopify: timeouts on every call, and the rewrite that sends it to the local store emulator."""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from app.config import Settings
from app.tls import tls_context

SHOP_SUFFIX = ".myshopify.com"
USER_AGENT = "StockoutConcierge/1.0 (+python-httpx)"


class EmulatorTransport(httpx.BaseTransport):
    """Sends requests for a shop to the local store emulator instead of Shopify.

    When `SHOPIFY_API_BASE_URL` is set, a request for `https://<shop>.myshopify.com/<path>?<query>`
    goes to `<base>/<path>?<query>` with the header `X-Shopify-Shop-Domain: <shop>.myshopify.com`,
    which is how the emulator tells its shops apart. Any other host passes through unchanged.
    """

    def __init__(self, base_url: str, inner: httpx.BaseTransport | None = None):
        self._base = httpx.URL(base_url.rstrip("/"))
        self._inner = inner or httpx.HTTPTransport(verify=tls_context())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if not host.endswith(SHOP_SUFFIX):
            return self._inner.handle_request(request)
        url = self._base.copy_with(path=self._base.path.rstrip("/") + request.url.path, query=request.url.query or None)
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "host"]
        rewritten = httpx.Request(
            request.method,
            url,
            headers=[("Host", url.netloc.decode("ascii"))] + headers + [("X-Shopify-Shop-Domain", host)],
            stream=request.stream,
            extensions=request.extensions,
        )
        return self._inner.handle_request(rewritten)

    def close(self) -> None:
        self._inner.close()


def make_client(settings: Settings) -> httpx.Client:
    """A fresh client (no connection shared between shops or threads) with the configured timeout."""
    timeout = httpx.Timeout(settings.http_timeout_seconds, connect=min(5.0, settings.http_timeout_seconds))
    transport = EmulatorTransport(settings.shopify_api_base_url) if settings.shopify_api_base_url else None
    return httpx.Client(timeout=timeout, transport=transport, verify=tls_context(), headers={"User-Agent": USER_AGENT})


def admin_url(settings: Settings, shop: str, path: str, params: dict | None = None) -> str:
    """A URL on the shop's admin for a browser to visit; on the emulator it names the shop in `shop=`."""
    query = dict(params or {})
    if settings.shopify_api_base_url:
        query["shop"] = shop
        base = settings.shopify_api_base_url.rstrip("/")
    else:
        base = f"https://{shop}"
    return f"{base}{path}" + (f"?{urlencode(query, doseq=True)}" if query else "")
