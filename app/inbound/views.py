"""The customer-facing answers: SMS replies (STOP, 退订, TD), unsubscribe links and satisfaction ratings.

Each is honoured on the spot: the opt-out is committed before the response, so the next send-time check sees it.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, current_app, render_template, request
from sqlalchemy import update

from app import db
from app.channels.base import PermanentDeliveryError
from app.channels.keywords import normalized_reply
from app.channels.sms_twilio import InvalidSignature, e164, parse_inbound, verify_inbound_signature
from app.domain.locales import resolve_locale
from app.models import CaseEvent, Shop, StockoutCase
from app.notifications import links, optouts
from app.inbound.texts import SMS_OPT_OUT_REPLY, say, sms_reply_locale

bp = Blueprint("inbound", __name__, template_folder="templates")


def _page(locale: str | None, title: str, text: str, status: int = 200, **form):
    page = {"lang": resolve_locale(locale, None), "title": title, "text": text, **form}
    return render_template("inbound/page.html", page=page), status


def _bad_link(locale: str | None = None):
    return _page(locale, say(locale, "bad_link_title"), say(locale, "bad_link"), 400)


def _urls_twilio_may_have_signed() -> list[str]:
    """Our public URL for this request (behind a proxy) and the URL as this server saw it."""
    query = request.query_string.decode("latin-1")
    public = current_app.config["SETTINGS"].app_url.rstrip("/") + request.path + (f"?{query}" if query else "")
    return [public, request.url]


def _verified() -> None:
    settings = current_app.config["SETTINGS"]
    if not settings.twilio_auth_token:
        abort(404)
    signature = request.headers.get("X-Twilio-Signature")
    for url in _urls_twilio_may_have_signed():
        try:
            verify_inbound_signature(url, request.form, signature, settings.twilio_auth_token)
            return
        except InvalidSignature:
            continue
    abort(403)


def _twiml(reply: str | None) -> Response:
    body = f"<Message>{escape(reply)}</Message>" if reply else ""
    return Response(f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>', mimetype="text/xml")


@bp.post("/sms/inbound")
def sms_inbound():
    """Twilio's webhook for replies: a STOP word opts the number out of every shop that wrote to it, at once."""
    _verified()
    sms = parse_inbound(request.form)
    try:
        phone = e164(sms.from_)
    except PermanentDeliveryError:
        return _twiml(None)
    if not (sms.is_opt_out or sms.is_opt_in):
        return _twiml(None)
    session, now = db.session(), db.utcnow()
    for shop_id in optouts.shops_that_wrote_to(session, "sms", phone):
        if sms.is_opt_out:
            optouts.record(session, shop_id, "sms", phone, "sms_reply", now)
        else:
            optouts.withdraw(session, shop_id, "sms", phone)
    session.commit()
    locale = sms_reply_locale(normalized_reply(sms.body)) if sms.is_opt_out else None
    return _twiml(SMS_OPT_OUT_REPLY.get(locale))


def _shop_name(shop_id: int) -> str | None:
    shop = db.session().get(Shop, shop_id)
    return (shop.name or shop.domain) if shop is not None else None


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET asks (mail scanners follow links); POST, from the page or a mail client's one-click, unsubscribes."""
    try:
        ask = links.read_unsubscribe(token)
    except links.LinkRefused:
        return _bad_link()
    shop = _shop_name(ask.shop_id)
    if shop is None:
        return _bad_link(ask.locale)
    values = {"shop": shop, "address": ask.address}
    if request.method == "GET":
        return _page(ask.locale, say(ask.locale, "unsubscribe_title"), say(ask.locale, "unsubscribe_ask", **values),
                     button=say(ask.locale, "unsubscribe_button"), action=request.path)
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    session = db.session()
    optouts.record(session, ask.shop_id, ask.channel, ask.address, "list_unsubscribe" if one_click else "link",
                   db.utcnow())
    session.commit()
    return _page(ask.locale, say(ask.locale, "unsubscribed_title"), say(ask.locale, "unsubscribed", **values))


@bp.get("/feedback/<token>")
def feedback(token: str):
    """A rating from the follow-up's links; a later click replaces an earlier one."""
    try:
        ref = links.read_feedback(token)
    except links.LinkRefused:
        return _bad_link()
    session = db.session()
    case = session.get(StockoutCase, ref.case_id)
    if case is None or case.shop_id != ref.shop_id:
        return _bad_link()
    locale = case.customer_locale
    score = request.args.get("score", type=int)
    if score not in links.SCORES:
        return _page(locale, say(locale, "bad_link_title"), say(locale, "bad_score"), 400)
    session.execute(
        update(StockoutCase)
        .where(StockoutCase.id == case.id, StockoutCase.shop_id == ref.shop_id)
        .values(satisfaction_score=score)
        .execution_options(synchronize_session=False)
    )
    session.add(CaseEvent(shop_id=ref.shop_id, case_id=case.id, kind="satisfaction_answered", detail={"score": score}))
    session.commit()
    return _page(locale, say(locale, "feedback_title"), say(locale, "feedback", score=score))
