"""Which shop a request is for: Host, then X-Shopify-Shop-Domain, then the `shop` parameter."""
from .store import SHOP_DOMAIN


def from_request(request) -> str | None:
    host = (request.host or "").split(":")[0].lower()
    if host.endswith(".myshopify.com") and SHOP_DOMAIN.match(host):
        return host
    header = (request.headers.get("X-Shopify-Shop-Domain") or "").strip().lower()
    if header:
        return header if SHOP_DOMAIN.match(header) else None
    param = (request.values.get("shop") or "").strip().lower()
    return param if SHOP_DOMAIN.match(param) else None
