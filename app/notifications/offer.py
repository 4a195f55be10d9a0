"""The offer a stockout notice describes, read from the case's offer rows: described here, granted on choice."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from app.choices.picks import picks_in
from app.domain import messages
from app.domain.compensation import CompensationGrant


def coupon(grant: CompensationGrant | None) -> messages.Compensation | None:
    """A grant as a message describes it; the code is made only when the customer chooses (empty here)."""
    if grant is None or not grant.has_coupon:
        return None
    return messages.Compensation(
        code="",
        amount=grant.amount.amount if grant.amount is not None else None,
        ends_on=grant.ends_on,
        free_shipping=grant.free_shipping,
    )


def per_item(offers: Sequence, item_titles: Mapping[str, str]) -> tuple[messages.ItemSubstitute, ...]:
    """Each short item's first substitute and how many more, when substitutes are picked item by item."""
    found: dict[str, list] = {}
    for offer in offers:
        picks = picks_in(offer.key)
        if len(picks) == 1:
            found.setdefault(picks[0][1], []).append(offer)
    return tuple(
        messages.ItemSubstitute(item=item_titles.get(line, rows[0].title), title=rows[0].title, more=len(rows) - 1)
        for line, rows in found.items()
    )


def describe(
    offers: Sequence,
    grant_of: Callable[[object], CompensationGrant | None],
    link: Callable[[str], str],
    item_titles: Mapping[str, str] | None = None,
) -> messages.Options:
    """Wait, the substitute and refund from the case's offer rows (`CaseOffer`), with their coupons.

    The substitute named is the one chosen (a single one or a set of picks), else the first offered; with several
    short items (`item_titles` by line number) each item's own first substitute is listed too.
    """
    first = {}
    for offer in offers:
        first.setdefault(offer.option, offer)
    chosen = next((offer for offer in offers if offer.option == "substitute" and offer.chosen_at is not None), None)
    wait, substitute, refund = first.get("wait"), first.get("substitute"), first.get("refund")
    wait_grant = grant_of(wait) if wait is not None else None
    return messages.Options(
        wait=wait and messages.WaitOption(
            link=link("wait"),
            compensation=coupon(wait_grant),
            priority_shipping=bool(wait_grant and wait_grant.priority_shipping),
        ),
        substitute=substitute and messages.SubstituteOption(
            link=link("substitute"), title=(chosen or substitute).title, per_item=per_item(offers, item_titles or {})
        ),
        refund=refund and messages.RefundOption(
            link=link("refund"),
            amount=Decimal(refund.refund_amount or 0),
            compensation=coupon(grant_of(refund)),
        ),
    )
