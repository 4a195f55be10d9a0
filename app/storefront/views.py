"""The storefront edge: back-in-stock sign-ups through Shopify's app proxy."""

from __future__ import annotations

import ipaddress
import time

from flask import Blueprint, abort, current_app, jsonify, request
from sqlalchemy import select

from app import db, queues
from app.domain.locales import resolve_locale
from app.models import Shop
from app.storefront import rate_limit, signups
from app.storefront.signature import ProxySignatureError, verify_proxy_query
from app.storefront.strings import text

bp = Blueprint("storefront", __name__)

PER_IP = (20, 600)
PER_ADDRESS = (5, 86400)


def _client_ip() -> str | None:
    """The shopper's address: the proxy puts it first in X-Forwarded-For (kept only if it is an IP address)."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    try:
        return str(ipaddress.ip_address(forwarded.split(",")[0].strip()))
    except ValueError:
        return request.remote_addr


def _verified_shop() -> tuple[Shop, dict[str, str]]:
    """The installed shop a genuine proxy request comes from (401 when forged or stale, 404 when unknown)."""
    settings = current_app.config["SETTINGS"]
    try:
        params = verify_proxy_query(list(request.args.items(multi=True)), settings.webhook_secrets, time.time())
    except ProxySignatureError:
        abort(401)
    shop = db.session().scalars(select(Shop).where(Shop.domain == params["shop"].lower())).first()
    if shop is None or not shop.is_installed:
        abort(404)
    return shop, params


@bp.post("/proxy/back-in-stock")
def back_in_stock_sign_up():
    """Record a shopper's "tell me when it's back" for a sold-out variant."""
    shop, params = _verified_shop()
    form = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    form = form if isinstance(form, dict) else {}
    locale = resolve_locale(form.get("locale"), shop.locale)
    ip = _client_ip()
    if not rate_limit.allow(queues.redis(), "bis-ip", f"{shop.id}:{ip}", *PER_IP):
        return jsonify(ok=False, error="too_many", message=text(locale, "too_many")), 429
    try:
        sign_up = signups.read_sign_up(form, shop, params.get("logged_in_customer_id") or None)
    except signups.SignUpRefused as refused:
        return jsonify(ok=False, error=refused.field, message=text(locale, refused.field)), 422
    address = sign_up.email or sign_up.phone
    if not rate_limit.allow(queues.redis(), "bis-address", f"{shop.id}:{address}", *PER_ADDRESS):
        return jsonify(ok=False, error="too_many", message=text(sign_up.locale, "too_many")), 429
    _, joined = signups.record(shop, sign_up, ip)
    message = text(sign_up.locale, "joined" if joined else "already")
    return jsonify(ok=True, joined=joined, message=message), 201 if joined else 200

