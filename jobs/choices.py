"""Choice jobs: prepare the offer, carry out a choice, apply deadlines and delays. JSON-safe ids in, safe to rerun."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app import db, queues
from app.choices import carry_out as carrying, choosing, deadlines, delays, preparation
from app.models import CaseEvent, CaseLine, StockoutCase, WebhookEvent
from app.shopify.client import client_for
from app.shopify.errors import ShopifyError, ShopifyUnavailable
from app.stockout import cases, settling
from app.stockout.effects import enqueue_coalesced, shortage_moved_key


def prepare_offer(shop_id: int, case_id: int, notify: bool = False) -> int:
    """Build the case's offer from Shopify (substitutes, refund); with `notify`, then send the notice and set the deadline.

    A first notice waits while the shop's intake still holds a backlog (app/stockout/settling.py): the case is
    held, and the shop's one notice gate (release_held_notices) lets it go once the backlog is worked through.
    A case withdrawn meanwhile is nobody's news: nothing is built or sent.
    """
    case = choosing.load_case(shop_id, case_id)
    if case is None or (notify and case.notified_at is None and cases.is_settled(case)):
        return 0
    if notify and not _notice_may_go(shop_id, {case_id: case.detected_at}).get(case_id, True):
        _hold_notice(shop_id, case_id)
        return 0
    with client_for(shop_id) as client:
        rows = preparation.prepare_offer(client, case)
    if notify:
        deadlines.schedule_deadline(shop_id, case_id)
        queues.enqueue("notifications", "jobs.notify.case_opened", shop_id, case_id,
                       job_id=f"case-opened-{shop_id}-{case_id}")
    return len(rows)


def release_held_notices(shop_id: int) -> list[int]:
    """The shop's notice gate: let every held case whose notice may go now go; look again later for the rest.

    One job per shop, however many cases wait: in a flash sale hundreds of cases open while the backlog is
    worked through, and each looking for itself every few seconds would keep the workers busy doing so.
    """
    held = sorted(int(member) for member in queues.redis().smembers(_held_key(shop_id)))
    if not held:
        return []
    detected = dict(db.session().execute(select(StockoutCase.id, StockoutCase.detected_at).where(
        StockoutCase.shop_id == shop_id, StockoutCase.id.in_(held))).all())
    may_go = _notice_may_go(shop_id, detected)
    released = [case_id for case_id in held if may_go.get(case_id, True)]
    for case_id in released:
        if case_id in detected:
            queues.enqueue("default", "jobs.choices.prepare_offer", shop_id, case_id, notify=True,
                           job_id=f"prepare-offer-{shop_id}-{case_id}-released")
        queues.redis().srem(_held_key(shop_id), case_id)
    if len(released) < len(held):
        _schedule_gate(shop_id)
    return [case_id for case_id in released if case_id in detected]


def _hold_notice(shop_id: int, case_id: int) -> None:
    queues.redis().sadd(_held_key(shop_id), case_id)
    _schedule_gate(shop_id)


def _schedule_gate(shop_id: int) -> None:
    enqueue_coalesced("default", "jobs.choices.release_held_notices", shop_id, job_id=f"notice-gate-{shop_id}",
                      delay=settling.RECHECK_EVERY)


def _held_key(shop_id: int) -> str:
    return f"notices-held:{shop_id}"


def _notice_may_go(shop_id: int, detected: dict[int, datetime]) -> dict[int, bool]:
    """settling.notice_may_go for each case (id: when detected), from the shop's intake and the cases' variants."""
    now, oldest = db.utcnow(), _oldest_unprocessed(shop_id)
    quiet = timedelta(seconds=current_app.config["SETTINGS"].notice_settle_seconds)
    variants = db.session().execute(select(CaseLine.case_id, CaseLine.variant_gid).where(
        CaseLine.shop_id == shop_id, CaseLine.case_id.in_(sorted(detected)))).all()
    keys = [shortage_moved_key(shop_id, variant_gid) for _case_id, variant_gid in variants]
    last_moved: dict[int, datetime] = {}
    for (case_id, _variant_gid), moved in zip(variants, queues.redis().mget(keys) if keys else []):
        if moved:
            at = datetime.fromisoformat(moved.decode())
            last_moved[case_id] = max(at, last_moved.get(case_id, at))
    return {case_id: settling.notice_may_go(now, at, oldest, last_moved.get(case_id), quiet)
            for case_id, at in detected.items()}


def _oldest_unprocessed(shop_id: int) -> datetime | None:
    return db.session().scalar(select(func.min(WebhookEvent.received_at)).where(
        WebhookEvent.shop_id == shop_id, WebhookEvent.status == "pending"))


def carry_out(shop_id: int, case_id: int) -> str | None:
    """Carry out the case's recorded choice through the Admin API, then tell the customer."""
    case = choosing.load_case(shop_id, case_id)
    if case is None or case.choice is None:
        return None
    try:
        with client_for(shop_id) as client:
            done = carrying.carry_out(client, case)
    except ShopifyUnavailable:
        raise
    except (ShopifyError, LookupError) as error:
        _record_failure(shop_id, case_id, case.choice, error)
        raise
    if done is None:
        return None
    for kind in done.messages:
        queues.enqueue("notifications", "jobs.notify.case_message", shop_id, case_id, kind,
                       job_id=f"case-message-{shop_id}-{case_id}-{kind}-{done.choice}")
    return done.choice


def _record_failure(shop_id: int, case_id: int, choice: str, error: Exception) -> None:
    """Put the refusal on the case's timeline for the merchant; the job still fails and is retried."""
    session = db.session()
    session.rollback()
    session.add(CaseEvent(shop_id=shop_id, case_id=case_id, kind="carry_out_failed",
                          detail={"choice": choice, "error": f"{type(error).__name__}: {error}"[:500]}))
    session.commit()


def apply_default(shop_id: int, case_id: int) -> str | None:
    """At the choice deadline: the shop's default, if the customer chose nothing."""
    outcome = deadlines.apply_default(shop_id, case_id)
    return outcome.choice if outcome and outcome.accepted else None


def refund_without_consent(shop_id: int, case_id: int) -> str | None:
    """At a delay's consent deadline: refund when the customer never said yes."""
    outcome = deadlines.refund_without_consent(shop_id, case_id)
    return outcome.choice if outcome and outcome.accepted else None


def restock_date_slipped(shop_id: int, case_id: int, old: str | None, new: str | None) -> bool | None:
    """The restock date of a waiting case moved (dates as ISO text, None for "no date")."""
    decision = delays.restock_date_slipped(
        shop_id, case_id, date.fromisoformat(old) if old else None, date.fromisoformat(new) if new else None
    )
    return None if decision is None else decision.needs_consent


def sweep_deadlines() -> int:
    """Periodic safety net: give notified cases their deadline, apply passed ones, carry out lost choices."""
    now = db.utcnow()
    found = 0
    for shop_id, case_id, notified_at in deadlines.without_deadline():
        deadlines.schedule_deadline(shop_id, case_id, now=notified_at)
        found += 1
    for what, shop_id, case_id in deadlines.overdue(now):
        job = "jobs.choices.apply_default" if what == "default" else "jobs.choices.refund_without_consent"
        queues.enqueue("default", job, shop_id, case_id, job_id=f"sweep-{what}-{shop_id}-{case_id}")
        found += 1
    for shop_id, case_id, choice in deadlines.stalled(now):
        queues.enqueue("default", "jobs.choices.carry_out", shop_id, case_id, job_id=f"carry-out-{case_id}-{choice}")
        found += 1
    return found
