"""Who is asking: the session token on every admin request, the shop it names, and the frame it may load in."""

from __future__ import annotations

import functools
import logging
from urllib.parse import urlencode

from flask import current_app, g, jsonify, make_response, redirect, request
from sqlalchemy import select

from app import db
from app.admin import shop_state
from app.admin.session_token import InvalidSessionToken, SessionToken, verify_session_token
from app.models import Shop
from app.shopify.errors import InstallRefused, ShopifyUnavailable

DEV_ENVS = frozenset({"development", "test"})
RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request"
BOUNCE_PATH = "/app/session-token"
log = logging.getLogger("admin")


def frame_ancestors(shop_domain: str | None) -> str:
    """The CSP that lets only the shop's admin frame an embedded page; nothing may frame the others."""
    if shop_domain:
        return f"frame-ancestors https://{shop_domain} https://admin.shopify.com;"
    return "frame-ancestors 'none';"


def dev_tools_allowed() -> bool:
    return current_app.config["SETTINGS"].env in DEV_ENVS


def in_dev_mode() -> bool:
    """Development outside the Shopify admin: the admin always sends `host` when it frames the app."""
    return dev_tools_allowed() and not request.args.get("host")


def verify(token: str | None, shop: str | None = None) -> SessionToken:
    settings = current_app.config["SETTINGS"]
    return verify_session_token(
        token or "", client_id=settings.shopify_api_key, secrets=settings.webhook_secrets, shop=shop
    )


def _installed_shop(domain: str) -> Shop | None:
    shop = db.session().scalar(select(Shop).where(Shop.domain == domain))
    return shop if shop is not None and shop.is_installed else None


def _enter(session: SessionToken, shop: Shop) -> None:
    g.session_token = session
    g.shop = shop
    g.shop_settings = shop_state.settings_for(shop)
    g.locale = shop_state.locale_for(shop, g.shop_settings)


def _shop_for_page(session: SessionToken):
    """The shop to show, installing it first when the app has no working offline token for it."""
    shop = db.session().scalar(select(Shop).where(Shop.domain == session.shop))
    if shop_state.has_offline_token(shop, db.utcnow()):
        return shop, None
    try:
        return shop_state.install(session), None
    except InstallRefused as error:
        log.warning("install on first load refused", extra={"shop": session.shop, "reason": str(error)})
        return None, make_response(shop_state.not_installed_page(session.shop, str(error)), error.status)
    except ShopifyUnavailable as error:
        log.warning("install on first load: Shopify unavailable", extra={"shop": session.shop, "reason": str(error)})
        return None, make_response(shop_state.not_installed_page(session.shop, str(error)), 503)


def bounce_location() -> str:
    """The patch-ID-token page that comes back to this URL with a fresh token (App Bridge or the dev shim)."""
    kept = [(key, value) for key, value in request.args.items(multi=True) if key != "id_token"]
    reload_to = request.path + (f"?{urlencode(kept)}" if kept else "")
    return f"{BOUNCE_PATH}?{urlencode(kept + [('shopify-reload', reload_to)])}"


def page(view):
    """A document load: the token arrives as `id_token` in the query; without a good one, fetch a fresh one."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            session = verify(request.args.get("id_token"), request.args.get("shop") or None)
        except InvalidSessionToken:
            return redirect(bounce_location())
        shop, refusal = _shop_for_page(session)
        if shop is None:
            response = refusal
        else:
            _enter(session, shop)
            response = make_response(view(*args, **kwargs))
        response.headers["Content-Security-Policy"] = frame_ancestors(session.shop)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper


def api(view):
    """A fetch from the page: `Authorization: Bearer <session token>`, never a cookie, so no CSRF."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _refuse("session token required", retry=False)
        try:
            session = verify(token.strip())
        except InvalidSessionToken as error:
            return _refuse(f"invalid session token: {error.reason}", retry=True)
        shop = _installed_shop(session.shop)
        if shop is None:
            return jsonify(error="app is not installed on this shop"), 403
        _enter(session, shop)
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapper


def _refuse(message: str, *, retry: bool):
    response = jsonify(error=message)
    response.status_code = 401
    if retry:
        response.headers[RETRY_HEADER] = "1"
    return response
