"""How the admin's fetch endpoints read a posted form and answer: a message, or errors per field."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from app.admin.i18n import t


def form_data() -> dict:
    """The posted fields: the page always posts JSON; anything else reads as an empty form."""
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def refused(errors: dict) -> tuple[Response, int]:
    """Field errors in the merchant's language, for the page to show beside each field."""
    locale = g.locale
    written = {field: t(locale, key, **params) for field, (key, params) in errors.items()}
    return jsonify(ok=False, errors=written, message=t(locale, "form.has_errors")), 422


def saved() -> Response:
    return jsonify(ok=True, message=t(g.locale, "form.saved"))
