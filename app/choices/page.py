"""What the choice page shows, as plain text in the customer's language, from the case and its offer."""

from __future__ import annotations

from decimal import Decimal

from app.choices.choosing import FINISHED_STATUSES as FINISHED
from app.choices.offers import grant_of
from app.choices.picks import is_combined, is_line_pick, number, picks_in
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


def _pick_difference(offer: CaseOffer, locale: str) -> str:
    difference = Decimal(offer.price_difference or 0)
    if difference == 0:
        return say(locale, "same_price_short")
    key = "dearer_by" if difference > 0 else "cheaper_by"
    return say(locale, key, difference=_money(abs(difference), offer.currency, locale))


def picker_view(case: StockoutCase, picks: list[CaseOffer], locale: str, cover_up_to: Decimal | None) -> dict:
    """One card to pick a substitute for each short line (several lines short), sent together as one choice."""
    lines = {number(line.line_item_gid): line for line in case.lines if line.quantity_short > 0}
    groups: dict[str, list[CaseOffer]] = {}
    for offer in picks:
        groups.setdefault(picks_in(offer.key)[0][1], []).append(offer)
    cover = (say(locale, "cover_up_to", amount=_money(cover_up_to, case.currency, locale)) if cover_up_to
             else say(locale, "difference_settled"))
    coupon = _coupon_line(grant_of(picks[0]), locale)
    return {
        "key": "substitutes", "option": "substitute", "heading": say(locale, "substitute_each"),
        "details": [say(locale, "substitute_each_detail"), cover] + ([coupon] if coupon else []), "chosen": False,
        "lines": [
            {"legend": say(locale, "instead_of", title=lines[line].title), "name": f"pick-{line}",
             "choices": [{"key": offer.key, "label": offer.title, "detail": _pick_difference(offer, locale),
                          "checked": index == 0} for index, offer in enumerate(offers)]}
            for line, offers in groups.items() if line in lines
        ],
    }


def _option_list(case: StockoutCase, offers: list[CaseOffer], views: dict, locale: str,
                 cover_up_to: Decimal | None) -> list[dict]:
    """The options in offer order, a line's substitutes gathered into one picker card (sets already chosen left out)."""
    picks = [offer for offer in offers if is_line_pick(offer.key)]
    shown = []
    for offer in offers:
        if picks and offer is picks[0]:
            shown.append(picker_view(case, picks, locale, cover_up_to))
        elif not is_line_pick(offer.key) and not is_combined(offer.key):
            shown.append(views[offer.key])
    return shown


def _items(case: StockoutCase, locale: str) -> str:
    titles = [line.title for line in case.lines if line.quantity_short > 0] or [case.order_name]
    return (", " if locale == "en" else "、").join(titles)


def _balance_line(chosen: CaseOffer, locale: str) -> list[str]:
    """After a dearer substitute: how the customer pays their share (Shopify's invoice e-mail)."""
    grant = grant_of(chosen)
    settled = grant.price_difference if grant else None
    if chosen.option != "substitute" or settled is None or settled.customer_pays.amount <= 0:
        return []
    return [say(locale, "pay_by_invoice", pays=_money(settled.customer_pays.amount, chosen.currency, locale))]


def _chosen_heading(case: StockoutCase, chosen: CaseOffer | None, locale: str) -> str:
    if case.choice == "substitute" and chosen is not None:
        return say(locale, "chosen_substitute", title=chosen.title)
    if case.choice == "refund":
        amount = chosen.refund_amount if chosen is not None else 0
        return say(locale, "chosen_refund", amount=_money(amount or 0, case.currency, locale))
    return say(locale, "chosen_wait")


def page_model(case: StockoutCase, shop: Shop, settings: ShopSettings | None, offers: list[CaseOffer],
               locale: str, chosen_source: str | None = None, cover_up_to: Decimal | None = None) -> dict:
    """Everything the template prints, in the customer's language (`cover_up_to`: the rule's cover of a difference)."""
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
        model["options"] = _option_list(case, offers, views, locale, cover_up_to)
        model["deadline"] = _deadline_text(case, shop, settings, locale)
    elif case.choice is not None:
        model["chosen"] = {
            "heading": _chosen_heading(case, chosen, locale), "next": say(locale, f"next_{case.choice}"),
            "details": (views[chosen.key]["details"] + _balance_line(chosen, locale)) if chosen is not None else [],
            "by_default": chosen_source == "default", "by_default_text": say(locale, "chosen_by_default"),
        }
        if case.choice == "wait" and case.status not in FINISHED:
            model["switch"] = [view for view in _option_list(case, offers, views, locale, cover_up_to)
                               if view["option"] != "wait"]
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
