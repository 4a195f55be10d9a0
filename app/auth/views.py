"""Routes: /auth/install and /auth/callback (authorization-code grant), /auth/token-exchange (embedded)."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify, redirect, request

from app.auth import state
from app.shopify import http, install, oauth, tokens, verify
from app.shopify.errors import InstallRefused, InvalidSessionToken, ShopifyUnavailable

bp = Blueprint("auth", __name__, url_prefix="/auth")
log = logging.getLogger("auth")


@bp.errorhandler(InstallRefused)
def _refused(exc: InstallRefused):
    log.warning("install refused", extra={"reason": str(exc), "path": request.path})
    headers = {"X-Shopify-Retry-Invalid-Session-Request": "1"} if isinstance(exc, InvalidSessionToken) else {}
    return _answer(str(exc), exc.status, headers)


@bp.errorhandler(ShopifyUnavailable)
def _unavailable(exc: ShopifyUnavailable):
    log.warning("shopify unavailable during install", extra={"reason": str(exc)})
    return _answer("Shopify could not be reached; try again in a minute.", 503, {"Retry-After": "30"})


def _answer(message: str, status: int, headers: dict):
    """JSON for the token-exchange API, plain text for the browser pages."""
    if request.path.endswith("/token-exchange"):
        return jsonify(error=message), status, headers
    return message, status, {"Content-Type": "text/plain; charset=utf-8", **headers}


@bp.get("/install")
def install_start():
    """Non-embedded install: check Shopify's signature, then send the merchant to approve our scopes."""
    settings = current_app.config["SETTINGS"]
    shop = verify.shop_domain(request.args.get("shop"))
    verify.verify_query_hmac(request.args.to_dict(), settings.webhook_secrets)
    nonce, cookie = state.issue(shop)
    response = redirect(oauth.authorize_url(settings, shop, nonce))
    response.set_cookie(
        state.COOKIE,
        cookie,
        max_age=state.TTL_SECONDS,
        httponly=True,
        secure=settings.app_url.startswith("https://"),
        samesite="Lax",
        path="/auth",
    )
    return response


@bp.get("/callback")
def install_callback():
    """Shopify sends the merchant back with a code: verify everything, then trade it for tokens."""
    settings = current_app.config["SETTINGS"]
    shop = verify.shop_domain(request.args.get("shop"))
    verify.verify_query_hmac(request.args.to_dict(), settings.webhook_secrets)
    state.consume(request.args.get("state"), request.cookies.get(state.COOKIE), shop)
    code = request.args.get("code")
    if not code:
        raise InstallRefused("The callback carries no authorization code.")
    with tokens.shop_lock(shop):
        grant = oauth.exchange_code(settings, shop, code)
        install.complete_install(shop, grant)
    response = redirect(http.admin_url(settings, shop, f"/admin/apps/{settings.shopify_api_key}"))
    response.delete_cookie(state.COOKIE, path="/auth")
    return response


@bp.post("/token-exchange")
def token_exchange():
    """Embedded install for the demo/launcher: `Authorization: Bearer <session token>` in, shop out."""
    header = request.headers.get("Authorization", "")
    session_token = header[len("Bearer "):] if header.startswith("Bearer ") else None
    shop = install.install_from_session_token(session_token)
    return jsonify(shop=shop.domain, scopes=shop.scopes.split(","), installed_at=shop.installed_at.isoformat())
