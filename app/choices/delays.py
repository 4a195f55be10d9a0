"""A restock date that slips: tell the waiting customer, and ask for a yes when the law wants one."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app import db, queues
from app.choices import choosing
from app.choices.delay_policy import DelayDecision, judge_delay
from app.models import CaseEvent, CaseLine, ShopSettings, StockoutCase
from app.stockout.effects import request_evaluation

LEFT_WAITING = ("substitute", "refund")


def _consent_days(shop_id: int) -> int:
    settings = db.session().scalars(select(ShopSettings).where(ShopSettings.shop_id == shop_id)).first()
    return settings.choice_deadline_days if settings else 3


def restock_date_slipped(
    shop_id: int, case_id: int, old: date | None, new: date | None, now: datetime | None = None
) -> DelayDecision | None:
    """Record the move, ask for consent when silence is not enough, and tell the customer; None if not waiting."""
    case = choosing.load_case(shop_id, case_id)
    if case is None or case.status in choosing.FINISHED_STATUSES or case.choice in LEFT_WAITING:
        return None
    now = now or db.utcnow()
    decision = judge_delay(case.delay_count, old, new, now.date())
    case.restock_date = new
    detail = {"old": old.isoformat() if old else None, "new": new.isoformat() if new else None,
              "needs_consent": decision.needs_consent, "why": decision.reason}
    if decision.is_delay:
        case.delay_count += 1
        detail["delay"] = case.delay_count
    if decision.needs_consent:
        # The decision is open again: keep waiting (say yes) or cancel, by a new deadline that every message shows.
        case.delay_agreed_at = None
        case.delay_consent_due_at = case.choice_deadline_at = now + timedelta(days=_consent_days(shop_id))
        detail["consent_due"] = case.delay_consent_due_at.isoformat()
    session = db.session()
    session.add(CaseEvent(shop_id=shop_id, case_id=case.id, kind="delay_notified" if decision.is_delay
                          else "restock_date_moved", detail=detail))
    session.commit()
    _follow_up(case, old, decision)
    return decision


def _follow_up(case: StockoutCase, old: date | None, decision: DelayDecision) -> None:
    """The message to the customer (delays only), the refund deadline when a yes is owed, and the presale labels."""
    if decision.is_delay:
        queues.enqueue("notifications", "jobs.notify.restock_date_changed", case.shop_id, case.id,
                       previous_restock_date=old.isoformat() if old else None)
    if decision.needs_consent:
        queues.queue("default").enqueue_at(
            case.delay_consent_due_at, "jobs.choices.refund_without_consent", case.shop_id, case.id,
            job_id=f"delay-consent-{case.shop_id}-{case.id}-{case.delay_count}", retry=queues.DEFAULT_RETRY,
        )
    for product_gid in products_of(case):
        request_evaluation(case.shop_id, product_gid)


def products_of(case: StockoutCase) -> list[str]:
    """The products whose labels carry this case's restock date."""
    return sorted({gid for gid in db.session().scalars(
        select(CaseLine.product_gid).where(CaseLine.shop_id == case.shop_id, CaseLine.case_id == case.id)
    ) if gid})

