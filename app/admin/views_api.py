"""What the admin's pages fetch and post (always with a session token): check, save or queue, then answer JSON."""

from __future__ import annotations

import uuid

import phonenumbers
from flask import Response, abort, g, jsonify, request

from app import db, queues
from app.admin import actions, settings_store, tasks
from app.admin.auth import api
from app.admin.compensation_form import parse_rules, sample_lines
from app.admin.forms import EMAIL_PATTERN, SECTIONS, parse_section
from app.admin.i18n import t
from app.admin.responses import form_data, refused, saved
from app.admin.reports_view import CSV_NAMES, chosen_month, csv_file
from app.admin.shop_state import shop_today
from app.admin.template_editor import explain, parse_target, preview_payload
from app.db import utcnow
from app.domain.locales import SUPPORTED
from app.domain.template_checks import check_template
from app.models import StockoutCase


@api
def save_settings(section: str):
    if section not in SECTIONS:
        abort(404)
    values, errors = parse_section(section, form_data())
    if errors:
        return refused(errors)
    settings_store.save_section(g.shop, values)
    return saved()


@api
def save_compensation():
    rules, preset_id, errors = parse_rules(form_data())
    if errors:
        return refused(errors)
    settings_store.save_rules(g.shop.id, rules, preset_id)
    return saved()


@api
def preview_compensation():
    rules, _, errors = parse_rules(form_data())
    if errors:
        return refused(errors)
    today = shop_today(g.shop, utcnow())
    return jsonify(ok=True, sample=sample_lines(rules, g.shop.currency or "USD", g.locale, today))


@api
def template_source():
    target, errors = parse_target(request.args)
    if errors:
        return refused(errors)
    source, customised = settings_store.template_source(g.shop.id, *target)
    return jsonify(ok=True, source=source, customised=customised,
                   preview=preview_payload(*target, source, g.locale))


@api
def template_preview():
    form = form_data()
    target, errors = parse_target(form)
    if errors:
        return refused(errors)
    return jsonify(ok=True, preview=preview_payload(*target, str(form.get("source") or ""), g.locale))


@api
def template_save():
    form = form_data()
    target, errors = parse_target(form)
    if errors:
        return refused(errors)
    source = str(form.get("source") or "")
    reasons = check_template(*target, source)
    if reasons:
        written = [explain(reason, g.locale) for reason in reasons]
        return jsonify(ok=False, errors={"source": " ".join(written)}, reasons=written,
                       message=t(g.locale, "form.has_errors")), 422
    settings_store.save_template(g.shop.id, *target, source)
    return saved()


@api
def template_reset():
    target, errors = parse_target(form_data())
    if errors:
        return refused(errors)
    settings_store.reset_template(g.shop.id, *target)
    source, _ = settings_store.template_source(g.shop.id, *target)
    return jsonify(ok=True, source=source, message=t(g.locale, "tmpl.reset_done"),
                   preview=preview_payload(*target, source, g.locale))


@api
def switch_locale():
    locale = str(form_data().get("locale") or "")
    if locale not in SUPPORTED:
        return refused({"locale": ("err.choice", {})})
    settings_store.save_locale(g.shop, locale)
    return jsonify(ok=True, locale=locale)


def _test_address(channel: str, to: str) -> str | None:
    """The address normalised for the channel, or None when it is not one."""
    if channel == "email":
        return to if EMAIL_PATTERN.fullmatch(to) and len(to) <= 320 else None
    try:
        number = phonenumbers.parse(to, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@api
def send_test():
    form = form_data()
    channel = str(form.get("channel") or "")
    if channel not in ("email", "sms"):
        return refused({"channel": ("err.choice", {})})
    address = _test_address(channel, str(form.get("to") or "").strip())
    if address is None:
        return refused({f"test_{channel}": ("err.email" if channel == "email" else "err.phone", {})})
    test_id = uuid.uuid4().hex
    tasks.record_test_result(g.shop.id, test_id, "queued")
    queues.enqueue("notifications", "app.admin.tasks.send_test_message", g.shop.id, channel, address, g.locale,
                   test_id, job_id=f"admin-test-{test_id}", retry=None)
    return jsonify(ok=True, test_id=test_id, message=t(g.locale, "channels.test_queued")), 202


@api
def test_result(test_id: str):
    result = tasks.read_test_result(g.shop.id, test_id)
    if result is None:
        abort(404)
    return jsonify(ok=True, status=result["status"], label=t(g.locale, f"channels.test_{result['status']}"),
                   detail=result["detail"])


@api
def case_action(case_id: int, action: str):
    case = db.session().get(StockoutCase, case_id)
    if case is None or case.shop_id != g.shop.id:
        abort(404)
    allowed = actions.available(case)
    if action not in allowed:
        return jsonify(ok=False, message=t(g.locale, "case.action_unavailable")), 409
    offer_key = None
    if action == "choose":
        offer_key = str(form_data().get("offer") or "")
        if offer_key not in {offer.key for offer in allowed["choose"]}:
            return refused({"offer": ("err.choice", {})})
    actions.enqueue(action, g.shop.id, case_id, offer_key)
    return jsonify(ok=True, message=t(g.locale, f"case.{action}_queued")), 202


@api
def report_csv(name: str):
    if name not in CSV_NAMES:
        abort(404)
    month = chosen_month(request.args.get("month"), g.shop.timezone or "UTC")
    body = csv_file(name, month)
    filename = f"stockout-{name}-{month}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})
