"""The admin's pages: each reads what it shows and renders it; nothing here changes anything."""

from __future__ import annotations

from flask import abort, current_app, g, jsonify, render_template, request
from sqlalchemy import select

from app import db
from app.admin import actions, catalogue_view, settings_view
from app.admin.auth import dev_tools_allowed, frame_ancestors, in_dev_mode, page
from app.admin.cases_query import find_cases, known_values, load_case, parse_filters
from app.admin.overview import load_overview
from app.admin.rendering import render_page
from app.admin.session_token import mint_session_token, shop_host
from app.admin.reports_view import report_context
from app.admin.timeline import build_timeline
from app.db import utcnow
from app.models import Shop


@page
def overview():
    now = utcnow()
    data = load_overview(g.shop.id, now, g.shop.timezone or "UTC")
    return render_page("admin/overview.html", "admin.overview", "nav.overview", data=data, now=now)


@page
def cases():
    filters, bad = parse_filters(request.args)
    result = find_cases(g.shop.id, filters, g.shop.timezone or "UTC")
    statuses, reasons = known_values(g.shop.id)
    return render_page(
        "admin/cases.html", "admin.cases", "nav.cases",
        filters=filters, bad_filters=bad, result=result, statuses=statuses, reasons=reasons,
    )


@page
def case(case_id: int):
    detail = load_case(g.shop.id, case_id)
    if detail is None:
        abort(404)
    timeline = build_timeline(detail.case, detail.events, detail.notifications)
    return render_page(
        "admin/case.html", "admin.cases", "case.title", detail=detail, timeline=timeline,
        available_actions=actions.available(detail.case), now=utcnow(),
    )


@page
def products():
    return render_page("admin/products.html", "admin.products", "nav.products", **catalogue_view.list_context())


@page
def product(product_id: int):
    context = catalogue_view.detail_context(product_id)
    if context is None:
        abort(404)
    return render_page("admin/product.html", "admin.products", "product.title", **context)


@page
def settings():
    return render_page("admin/settings.html", "admin.settings", "nav.settings", **settings_view.context())


@page
def reports():
    return render_page("admin/reports.html", "admin.reports", "nav.reports", **report_context(request.args))


def session_token_bounce():
    """The patch-ID-token page: App Bridge (or, in development, the dev shim) reloads with a fresh token."""
    shop = shop_host(request.args.get("shop") or "")  # it goes into a header: only a myshopify.com host
    dev_mode = in_dev_mode()
    html = render_template(
        "admin/bounce.html",
        client_id=current_app.config["SETTINGS"].shopify_api_key,
        dev_mode=dev_mode,
        reload_to=_safe_reload(request.args.get("shopify-reload") or "/app"),
        shop=shop,
    )
    headers = {"Content-Security-Policy": frame_ancestors(shop), "Cache-Control": "no-store"}
    if not dev_mode:
        headers["Link"] = '<https://cdn.shopify.com/shopifycloud/app-bridge.js>; rel="preload"; as="script"'
    return html, 200, headers


def dev_session_token():
    """Development only: a session token for a local shop, so the page's fetches work outside the Shopify admin."""
    if not dev_tools_allowed():
        abort(404)
    query = select(Shop).where(Shop.uninstalled_at.is_(None), Shop.installed_at.is_not(None)).order_by(Shop.id)
    if request.args.get("shop"):
        query = query.where(Shop.domain == request.args["shop"])
    shop = db.session().scalars(query.limit(1)).first()
    if shop is None:
        abort(404)
    settings = current_app.config["SETTINGS"]
    token = mint_session_token(
        shop.domain, client_id=settings.shopify_api_key, secret=settings.shopify_api_secret, now=utcnow()
    )
    response = jsonify(token=token, shop=shop.domain)
    response.headers["Cache-Control"] = "no-store"
    return response


def _safe_reload(target: str) -> str:
    """Only reload to a path of this app: an absolute or protocol-relative URL would be an open redirect."""
    if not target.startswith("/app") or target.startswith("//"):
        return "/app"
    return target
