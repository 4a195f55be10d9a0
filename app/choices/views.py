"""The customer's choice page, reached by a signed link: no login, one POST per decision."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy import select, update

from app import db
from app.choices import choosing, links, offers
from app.choices.carry_out import choice_source
from app.choices.page import cancel_model, page_model
from app.choices.rules import rules_for
from app.choices.strings import say
from app.domain.compensation import Option
from app.domain.locales import SUPPORTED, resolve_locale
from app.models import CaseEvent, Shop, ShopSettings, StockoutCase

bp = Blueprint("choices", __name__)


def _problem(kind: str, status: int):
    """A friendly page for a link we cannot trust, in the browser's language (the case is unknown)."""
    locale = resolve_locale(next(iter(request.accept_languages.values()), None), None)
    model = {"lang": locale, "title": say(locale, f"{kind}_title"), "text": say(locale, kind)}
    return render_template("choices/problem.html", page=model), status


def _open(token: str):
    """(case, shop, None) for a good link, or (None, None, response) for a bad, expired or orphaned one."""
    try:
        ref = links.read_choice_token(token)
    except links.LinkExpired:
        return None, None, _problem("expired", 410)
    except links.LinkInvalid:
        return None, None, _problem("bad_link", 400)
    case = choosing.load_case(ref.shop_id, ref.case_id)
    if case is None:
        return None, None, _problem("expired", 410)
    return case, db.session().get(Shop, case.shop_id), None


def _locale(case: StockoutCase, shop: Shop) -> str:
    asked = request.args.get("lang")
    return asked if asked in SUPPORTED else resolve_locale(case.customer_locale, shop.locale)


def _note_first_open(case: StockoutCase) -> None:
    session = db.session()
    now = db.utcnow()
    opened = session.execute(
        update(StockoutCase)
        .where(StockoutCase.id == case.id, StockoutCase.link_opened_at.is_(None))
        .values(link_opened_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if opened:
        session.add(CaseEvent(shop_id=case.shop_id, case_id=case.id, kind="link_opened", detail={}))
    session.commit()
    session.refresh(case)


@bp.get("/c/<token>")
def show(token: str):
    """The options, or the confirmation of the choice made; the first open is recorded."""
    case, shop, problem = _open(token)
    if problem:
        return problem
    _note_first_open(case)
    offer = offers.ensure_offer(case)
    db.session().commit()
    settings = db.session().scalars(select(ShopSettings).where(ShopSettings.shop_id == shop.id)).first()
    locale = _locale(case, shop)
    cover_up_to = rules_for(shop.id)[Option.SUBSTITUTE].cover_price_difference_up_to
    model = page_model(case, shop, settings, offer, locale, choice_source(case), cover_up_to)
    model["stale"] = say(locale, "stale_form") if request.args.get("stale") else None
    return render_template(
        "choices/page.html", page=model, token=token, form_token=links.form_token(token),
        preselect=request.args.get("option"), button=say(locale, "button"), switch_text=say(locale, "switch"),
        agree=say(locale, "agree"), finished_text=say(locale, "finished"),
    )


@bp.get("/c/<token>/cancel")
def cancel(token: str):
    """The one-tap cancel page of a delayed order: a full refund, or keep waiting."""
    case, shop, problem = _open(token)
    if problem:
        return problem
    _note_first_open(case)
    offers.ensure_offer(case)
    db.session().commit()
    if case.choice not in (None, "wait") or case.status in choosing.FINISHED_STATUSES:
        return redirect(url_for("choices.show", token=token), 303)
    model = cancel_model(case, offers.offer_by_key(case, "refund"), _locale(case, shop))
    return render_template("choices/cancel.html", page=model, token=token, form_token=links.form_token(token))


@bp.post("/c/<token>/choose")
def choose(token: str):
    """Record a choice (the first wins) and show the outcome; substitutes picked per line come as `pick-<line>`."""
    case, _, problem = _open(token)
    if problem:
        return problem
    if not links.form_token_matches(token, request.form.get("form_token")):
        return redirect(url_for("choices.show", token=token, stale=1), 303)
    expected = request.form.get("expected") or None
    picks = [value for name, value in request.form.items(multi=True) if name.startswith("pick-")]
    try:
        if picks:
            choosing.choose_picks(case.shop_id, case.id, picks, expected=expected)
        else:
            choosing.choose(case.shop_id, case.id, request.form.get("offer", ""), expected=expected)
    except choosing.NotOffered:
        return _problem("bad_link", 400)
    return redirect(url_for("choices.show", token=token), 303)


@bp.post("/c/<token>/agree")
def agree(token: str):
    """Record the customer's "yes, keep waiting" after a delay."""
    case, _, problem = _open(token)
    if problem:
        return problem
    if not links.form_token_matches(token, request.form.get("form_token")):
        return redirect(url_for("choices.show", token=token, stale=1), 303)
    choosing.agree_to_delay(case.shop_id, case.id)
    return redirect(url_for("choices.show", token=token), 303)


@bp.after_request
def _private(response):
    # The link is the customer's key: keep it out of caches, search engines and Referer headers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
    return response
