"""Recording a customer's choice: the first one wins atomically, a waiting customer may still switch once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update

from app import db, queues
from app.choices import offers
from app.choices.picks import is_line_pick
from app.models import CaseEvent, StockoutCase

FINISHED_STATUSES = ("resolved", "closed", "cancelled", "withdrawn")
SWITCHABLE_FROM = "wait"
STATUS_AFTER = {"wait": "waiting", "substitute": "resolving", "refund": "resolving"}
# Choices the customer (or the merchant on their behalf) made themselves; a default is silence, not agreement.
EXPLICIT_SOURCES = ("customer", "merchant", "delay_agreed")


class NotOffered(ValueError):
    """The option posted is not part of this case's offer."""


@dataclass(frozen=True)
class ChoiceOutcome:
    """What the case's choice is after a request, and whether this request set it."""

    accepted: bool
    choice: str | None
    case_id: int


def load_case(shop_id: int, case_id: int) -> StockoutCase | None:
    """The case, only if it belongs to this shop."""
    case = db.session().get(StockoutCase, case_id)
    return case if case is not None and case.shop_id == shop_id else None


def choose(shop_id: int, case_id: int, offer_key: str, *, expected: str | None, source: str = "customer") -> ChoiceOutcome:
    """Record the option if the case still holds the choice the page was rendered with; else report the winner."""
    case = load_case(shop_id, case_id)
    if case is None:
        raise LookupError(f"case {case_id} of shop {shop_id} does not exist")
    offers.ensure_offer(case)
    offer = offers.offer_by_key(case, offer_key)
    if offer is None or is_line_pick(offer.key):
        raise NotOffered(f"{offer_key!r} was not offered on case {case_id} (a substitute per line comes in a set)")
    if expected not in (None, SWITCHABLE_FROM) or offer.option == expected:
        return ChoiceOutcome(False, case.choice, case.id)
    return record_choice(case, offer.key, offer.option, expected=expected, source=source)


def choose_picks(
    shop_id: int, case_id: int, pick_keys: list[str], *, expected: str | None, source: str = "customer"
) -> ChoiceOutcome:
    """Record a substitute for each short line as one choice (see `choose`)."""
    case = load_case(shop_id, case_id)
    if case is None:
        raise LookupError(f"case {case_id} of shop {shop_id} does not exist")
    offers.ensure_offer(case)
    try:
        combined = offers.combine(case, pick_keys)
    except ValueError as refused:
        raise NotOffered(str(refused)) from refused
    return choose(shop_id, case_id, combined.key, expected=expected, source=source)


def record_choice(
    case: StockoutCase, offer_key: str, option: str, *, expected: str | None, source: str, **conditions
) -> ChoiceOutcome:
    """Compare-and-set the case's choice; on success mark the offer, log the event and start carrying it out."""
    session = db.session()
    now = db.utcnow()
    values = dict(choice=option, chosen_at=now, status=STATUS_AFTER[option])
    if option == "wait" and source in EXPLICIT_SOURCES:
        values.update(delay_agreed_at=now, delay_consent_due_at=None)
    statement = (
        update(StockoutCase)
        .where(StockoutCase.id == case.id, StockoutCase.shop_id == case.shop_id)
        .where(StockoutCase.status.not_in(FINISHED_STATUSES))
        .where(StockoutCase.choice.is_(None) if expected is None else StockoutCase.choice == expected)
        .where(*_extra_conditions(conditions, now))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if session.execute(statement).rowcount != 1:
        session.rollback()
        session.refresh(case)
        return ChoiceOutcome(False, case.choice, case.id)
    chosen = offers.offer_by_key(case, offer_key)
    chosen.chosen_at = now
    session.add(CaseEvent(shop_id=case.shop_id, case_id=case.id, kind="choice_made", detail={
        "option": option, "offer": offer_key, "source": source, "previous": expected,
    }))
    session.commit()
    session.refresh(case)
    queues.enqueue("default", "jobs.choices.carry_out", case.shop_id, case.id, job_id=f"carry-out-{case.id}-{option}")
    return ChoiceOutcome(True, case.choice, case.id)


def _extra_conditions(conditions: dict, now: datetime) -> list:
    clauses = []
    if conditions.get("deadline_passed"):
        clauses.append(StockoutCase.choice_deadline_at <= now)
    if conditions.get("consent_missing"):
        clauses += [StockoutCase.delay_consent_due_at <= now, StockoutCase.delay_agreed_at.is_(None)]
    return clauses


def agree_to_delay(shop_id: int, case_id: int) -> bool:
    """The customer's explicit "yes, keep waiting" after a delay; True when it was recorded now."""
    case = load_case(shop_id, case_id)
    if case is None or case.choice not in (None, "wait") or case.status in FINISHED_STATUSES:
        return False
    if case.choice is None:
        offers.ensure_offer(case)
        return record_choice(case, "wait", "wait", expected=None, source="delay_agreed").accepted
    session = db.session()
    now = db.utcnow()
    result = session.execute(
        update(StockoutCase)
        .where(StockoutCase.id == case.id, StockoutCase.shop_id == shop_id, StockoutCase.choice == "wait")
        .where(StockoutCase.delay_consent_due_at.is_not(None))
        .values(delay_agreed_at=now, delay_consent_due_at=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.rollback()
        return False
    session.add(CaseEvent(shop_id=shop_id, case_id=case.id, kind="delay_agreed", detail={"delay": case.delay_count}))
    session.commit()
    session.refresh(case)
    return True
