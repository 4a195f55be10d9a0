"""What the choice page shows, as plain text in the customer's language, from the case and its offer."""

from __future__ import annotations

from decimal import Decimal

from app.choices.choosing import FINISHED_STATUSES as FINISHED
from app.choices.offers import grant_of
from app.choices.strings import refund_timing_key, say
from app.domain.compensation import CompensationGrant
from app.domain.locales import format_coupon_value, format_day, format_moment, format_money
from app.models import Shop, ShopSettings, StockoutCase
from app.models.cases import CaseOffer


def _money(amount: Decimal, currency: str, locale: str) -> str:
    return format_money(Decimal(amount), currency, locale)


def _coupon_line(grant: CompensationGrant | None, locale: str) -> str | None:
    if grant is None or not grant.has_coupon:
        return None
    amount = _money(grant.amount.amount, grant.amount.currency, locale) if grant.amount else None
    value = format_coupon_value(amount, grant.percent, grant.free_shipping, locale)
    if grant.ends_on:
        return say(locale, "coupon_until", value=value, date=format_day(grant.ends_on, locale))
    return say(locale, "coupon", value=value)


def _difference_line(grant: CompensationGrant | None, offer: CaseOffer, locale: str) -> str:
    difference = Decimal(offer.price_difference or 0)
    if difference == 0:
        return say(locale, "same_price")
    if difference < 0:
        return say(locale, "cheaper", difference=_money(-difference, offer.currency, locale))
    settled = grant.price_difference if grant else None
    pays = settled.customer_pays.amount if settled else difference
    shown = _money(difference, offer.currency, locale)
    if pays <= 0:
        return say(locale, "dearer_covered", difference=shown)
    covered = settled.covered.amount if settled else Decimal(0)
    return say(locale, "dearer_shared", difference=shown, covered=_money(covered, offer.currency, locale),
               pays=_money(pays, offer.currency, locale))


def option_view(offer: CaseOffer, locale: str) -> dict:
    """Heading and detail lines of one option."""
    grant = grant_of(offer)
    if offer.option == "wait":
        heading, details = say(locale, "wait"), [say(locale, "wait_detail")]
        if grant and grant.priority_shipping:
            details.append(say(locale, "priority"))
    elif offer.option == "substitute":
        heading = say(locale, "substitute", title=offer.title)
        details = [say(locale, "substitute_detail"), _difference_line(grant, offer, locale)]
    else:
        amount = _money(offer.refund_amount or 0, offer.currency, locale)
        heading = say(locale, "refund")
        details = [say(locale, "refund_detail", amount=amount), say(locale, refund_timing_key(offer.refund_gateway))]
    coupon = _coupon_line(grant, locale)
    return {"key": offer.key, "option": offer.option, "heading": heading,
            "details": details + ([coupon] if coupon else []), "chosen": offer.chosen_at is not None}


def _items(case: StockoutCase, locale: str) -> str:
    titles = [line.title for line in case.lines if line.quantity_short > 0] or [case.order_name]
    return (", " if locale == "en" else "、").join(titles)


def _chosen_heading(case: StockoutCase, chosen: CaseOffer | None, locale: str) -> str:
    if case.choice == "substitute" and chosen is not None:
        return say(locale, "chosen_substitute", title=chosen.title)
    if case.choice == "refund":
        amount = chosen.refund_amount if chosen is not None else 0
        return say(locale, "chosen_refund", amount=_money(amount or 0, case.currency, locale))
    return say(locale, "chosen_wait")


def page_model(case: StockoutCase, shop: Shop, settings: ShopSettings | None, offers: list[CaseOffer],
               locale: str, chosen_source: str | None = None) -> dict:
    """Everything the template prints, already in the customer's language."""
    restock = say(locale, "restock", date=format_day(case.restock_date, locale)) if case.restock_date else say(
        locale, "no_date")
    model = {
        "lang": locale, "title": say(locale, "title", order=case.order_name),
        "intro": say(locale, "intro", items=_items(case, locale)), "restock": restock,
        "questions": say(locale, "questions", email=shop.contact_email) if shop.contact_email else None,
        "expected": case.choice or "", "options": [], "switch": [], "delay": None, "chosen": None,
        "deadline": None, "finished": case.status in FINISHED and case.choice is None,
    }
    views = {offer.key: option_view(offer, locale) for offer in offers}
    chosen = next((offer for offer in offers if offer.chosen_at is not None and offer.option == case.choice), None)
    if case.choice is None and not model["finished"]:
        model["options"] = [views[offer.key] for offer in offers]
        model["deadline"] = _deadline_text(case, shop, settings, locale)
    elif case.choice is not None:
        model["chosen"] = {
            "heading": _chosen_heading(case, chosen, locale), "next": say(locale, f"next_{case.choice}"),
            "details": views[chosen.key]["details"] if chosen is not None else [],
            "by_default": chosen_source == "default", "by_default_text": say(locale, "chosen_by_default"),
        }
        if case.choice == "wait" and case.status not in FINISHED:
            model["switch"] = [views[offer.key] for offer in offers if offer.option != "wait"]
    if case.delay_consent_due_at is not None and case.choice in (None, "wait") and case.status not in FINISHED:
        moment = format_moment(case.delay_consent_due_at, shop.timezone, locale)
        model["delay"] = {"title": say(locale, "delay_title"), "ask": say(locale, "delay_ask", deadline=moment)}
    return model


def _deadline_text(case: StockoutCase, shop: Shop, settings: ShopSettings | None, locale: str) -> dict | None:
    if case.choice_deadline_at is None:
        return None
    default = settings.default_after_deadline if settings else "wait"
    return {
        "by": say(locale, "choose_by", deadline=format_moment(case.choice_deadline_at, shop.timezone, locale)),
        "then": say(locale, "default_refund" if default == "refund" else "default_wait"),
    }


def cancel_model(case: StockoutCase, refund: CaseOffer | None, locale: str) -> dict:
    """The one-tap cancel page: a full refund of what cannot ship."""
    amount = _money(refund.refund_amount or 0, case.currency, locale) if refund else ""
    return {"lang": locale, "title": say(locale, "cancel_title"), "detail": say(locale, "cancel_detail", amount=amount),
            "button": say(locale, "cancel_button"), "keep": say(locale, "keep_waiting"), "expected": case.choice or ""}
