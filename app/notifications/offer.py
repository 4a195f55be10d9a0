"""The offer a stockout notice describes, read from the case's offer rows: described here, granted on choice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

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


def describe(
    offers: Sequence, grant_of: Callable[[object], CompensationGrant | None], link: Callable[[str], str]
) -> messages.Options:
    """Wait, the first substitute and refund from the case's offer rows (`CaseOffer`), with their coupons."""
    first = {}
    for offer in offers:
        first.setdefault(offer.option, offer)
    wait, substitute, refund = first.get("wait"), first.get("substitute"), first.get("refund")
    wait_grant = grant_of(wait) if wait is not None else None
    return messages.Options(
        wait=wait and messages.WaitOption(
            link=link("wait"),
            compensation=coupon(wait_grant),
            priority_shipping=bool(wait_grant and wait_grant.priority_shipping),
        ),
        substitute=substitute and messages.SubstituteOption(link=link("substitute"), title=substitute.title),
        refund=refund and messages.RefundOption(
            link=link("refund"),
            amount=Decimal(refund.refund_amount or 0),
            compensation=coupon(grant_of(refund)),
        ),
    )
