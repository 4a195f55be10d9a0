"""The shop's default after the choice deadline, and the refund owed when a long delay was not agreed to."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app import db, queues
from app.choices import choosing, offers
from app.choices.choosing import ChoiceOutcome
from app.models import CaseEvent, ShopSettings, StockoutCase

SWEEP_LIMIT = 500
# A choice not carried out this long after it was made lost its job (Redis down at the time, say).
CARRY_OUT_GRACE = timedelta(minutes=10)
CARRY_OUT_LOOKBACK = timedelta(days=7)


def _settings(shop_id: int) -> ShopSettings | None:
    return db.session().scalars(select(ShopSettings).where(ShopSettings.shop_id == shop_id)).first()


def schedule_deadline(shop_id: int, case_id: int, now: datetime | None = None) -> datetime | None:
    """Set the case's choice deadline (notice + the shop's days) if unset, and schedule its default job."""
    case = choosing.load_case(shop_id, case_id)
    if case is None or case.choice is not None:
        return None
    if case.choice_deadline_at is None:
        settings = _settings(shop_id)
        days = settings.choice_deadline_days if settings else 3
        case.choice_deadline_at = (now or db.utcnow()) + timedelta(days=days)
        db.session().commit()
    queues.queue("default").enqueue_at(
        case.choice_deadline_at, "jobs.choices.apply_default", shop_id, case_id,
        job_id=f"choice-deadline-{shop_id}-{case_id}", retry=queues.DEFAULT_RETRY,
    )
    return case.choice_deadline_at


def apply_default(shop_id: int, case_id: int) -> ChoiceOutcome | None:
    """After the deadline with no choice, choose the shop's default (keep waiting or refund)."""
    case = choosing.load_case(shop_id, case_id)
    if case is None or case.choice is not None or case.choice_deadline_at is None:
        return None
    if case.choice_deadline_at > db.utcnow():
        return None
    default = _default_for(case)
    offers.ensure_offer(case)
    return choosing.record_choice(case, default, default, expected=None, source="default", deadline_passed=True)


def _default_for(case: StockoutCase) -> str:
    """The shop's default, except that a delay still waiting for the customer's yes ends in a refund."""
    if case.delay_consent_due_at is not None and case.delay_agreed_at is None:
        return "refund"
    settings = _settings(case.shop_id)
    return "refund" if settings and settings.default_after_deadline == "refund" else "wait"


def refund_without_consent(shop_id: int, case_id: int) -> ChoiceOutcome | None:
    """A delay that needed the customer's yes got none by its deadline: the order is refunded."""
    case = choosing.load_case(shop_id, case_id)
    if case is None or case.delay_consent_due_at is None or case.delay_agreed_at is not None:
        return None
    if case.delay_consent_due_at > db.utcnow() or case.choice not in (None, "wait"):
        return None
    offers.ensure_offer(case)
    return choosing.record_choice(
        case, "refund", "refund", expected=case.choice, source="delay_no_consent", consent_missing=True
    )


def overdue(now: datetime) -> list[tuple[str, int, int]]:
    """(what, shop id, case id) for deadlines that passed with nothing done: a job missed or lost."""
    session = db.session()
    open_case = StockoutCase.status.not_in(choosing.FINISHED_STATUSES)
    defaults = session.execute(
        select(StockoutCase.shop_id, StockoutCase.id)
        .where(open_case, StockoutCase.choice.is_(None), StockoutCase.choice_deadline_at <= now)
        .limit(SWEEP_LIMIT)
    ).all()
    delays = session.execute(
        select(StockoutCase.shop_id, StockoutCase.id)
        .where(open_case, StockoutCase.delay_consent_due_at <= now, StockoutCase.delay_agreed_at.is_(None))
        .where((StockoutCase.choice.is_(None)) | (StockoutCase.choice == "wait"))
        .limit(SWEEP_LIMIT)
    ).all()
    return [("default", s, c) for s, c in defaults] + [("delay", s, c) for s, c in delays]


def without_deadline() -> list[tuple[int, int, datetime]]:
    """(shop id, case id, notified at) for notified cases still open to a choice that never got a deadline."""
    return [tuple(row) for row in db.session().execute(
        select(StockoutCase.shop_id, StockoutCase.id, StockoutCase.notified_at)
        .where(StockoutCase.status.not_in(choosing.FINISHED_STATUSES), StockoutCase.choice.is_(None))
        .where(StockoutCase.notified_at.is_not(None), StockoutCase.choice_deadline_at.is_(None))
        .limit(SWEEP_LIMIT)
    )]


def stalled(now: datetime) -> list[tuple[int, int, str]]:
    """(shop id, case id, choice) for recent choices that nothing carried out: their job was lost."""
    session = db.session()
    chosen = session.execute(
        select(StockoutCase.shop_id, StockoutCase.id, StockoutCase.choice)
        .where(StockoutCase.choice.is_not(None), StockoutCase.status.in_(("waiting", "resolving")))
        .where(StockoutCase.chosen_at <= now - CARRY_OUT_GRACE, StockoutCase.chosen_at >= now - CARRY_OUT_LOOKBACK)
        .limit(SWEEP_LIMIT)
    ).all()
    if not chosen:
        return []
    done = {
        (case_id, detail.get("choice"))
        for case_id, detail in session.execute(
            select(CaseEvent.case_id, CaseEvent.detail)
            .where(CaseEvent.kind == "choice_carried_out", CaseEvent.case_id.in_([c for _, c, _ in chosen]))
        )
    }
    return [(shop_id, case_id, choice) for shop_id, case_id, choice in chosen if (case_id, choice) not in done]
