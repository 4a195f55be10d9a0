"""The embedded admin's routes, in one table: pages load with `id_token`, everything else is a bearer-token fetch."""

from __future__ import annotations

from flask import Blueprint

from app.admin import views_api, views_pages, views_products

# Row ids are 32-bit integers: a longer number in the URL is a 404, not an error from the database.
ID = "int(max=2147483647)"

ROUTES = (
    # Pages (document loads).
    ("/", "overview", views_pages.overview, ("GET",)),
    ("/cases", "cases", views_pages.cases, ("GET",)),
    (f"/cases/<{ID}:case_id>", "case", views_pages.case, ("GET",)),
    ("/products", "products", views_pages.products, ("GET",)),
    (f"/products/<{ID}:product_id>", "product", views_pages.product, ("GET",)),
    ("/settings", "settings", views_pages.settings, ("GET",)),
    ("/reports", "reports", views_pages.reports, ("GET",)),
    ("/session-token", "session_token_bounce", views_pages.session_token_bounce, ("GET",)),
    ("/dev/session-token", "dev_session_token", views_pages.dev_session_token, ("GET",)),
    # Fetches from the pages.
    ("/api/settings/<section>", "save_settings", views_api.save_settings, ("POST",)),
    ("/api/compensation", "save_compensation", views_api.save_compensation, ("POST",)),
    ("/api/compensation/preview", "preview_compensation", views_api.preview_compensation, ("POST",)),
    ("/api/templates/source", "template_source", views_api.template_source, ("GET",)),
    ("/api/templates/preview", "template_preview", views_api.template_preview, ("POST",)),
    ("/api/templates/save", "template_save", views_api.template_save, ("POST",)),
    ("/api/templates/reset", "template_reset", views_api.template_reset, ("POST",)),
    ("/api/locale", "switch_locale", views_api.switch_locale, ("POST",)),
    ("/api/channels/test", "send_test", views_api.send_test, ("POST",)),
    ("/api/channels/test/<test_id>", "test_result", views_api.test_result, ("GET",)),
    (f"/api/cases/<{ID}:case_id>/<action>", "case_action", views_api.case_action, ("POST",)),
    ("/api/products/restock", "restock_products", views_products.restock, ("POST",)),
    ("/api/products/import", "import_restock", views_products.import_csv, ("POST",)),
    (f"/api/products/<{ID}:product_id>/leave-alone", "leave_alone", views_products.leave_alone, ("POST",)),
    ("/api/reports/<name>.csv", "report_csv", views_api.report_csv, ("GET",)),
)


def make_blueprint() -> Blueprint:
    """The admin under /app, with its CSS and script served from app/static/admin."""
    bp = Blueprint(
        "admin", __name__, url_prefix="/app", static_folder="../static/admin", static_url_path="/static"
    )
    for rule, endpoint, view, methods in ROUTES:
        bp.add_url_rule(rule, endpoint, view, methods=list(methods))
    return bp
