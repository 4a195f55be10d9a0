"""Customers waiting for stock are served first come, first served when it arrives."""

from __future__ import annotations

from sqlalchemy import or_, select

from app import db, queues
from app.choices import choosing
from app.models import CaseEvent, CaseLine, StockoutCase

RESTOCKED = "restocked"


def waiting_for(shop_id: int, variant_gid: str) -> list[tuple[StockoutCase, int]]:
    """(case, units short of this variant) for every case still waiting on it, in the order the cases opened."""
    rows = db.session().execute(
        select(StockoutCase, CaseLine.quantity_short)
        .join(CaseLine, CaseLine.case_id == StockoutCase.id)
        .where(StockoutCase.shop_id == shop_id, CaseLine.shop_id == shop_id, CaseLine.variant_gid == variant_gid)
        .where(CaseLine.quantity_short > 0)
        .where(or_(StockoutCase.choice.is_(None), StockoutCase.choice == "wait"))
        .where(StockoutCase.status.not_in((*choosing.FINISHED_STATUSES, RESTOCKED)))
        .order_by(StockoutCase.detected_at, StockoutCase.id)
    ).all()
    return [(case, short) for case, short in rows]


def units_for_waiting(waiting: list[int], available: int) -> int:
    """How many of the waiting units the stock now covers: their orders already hold them, so only a
    negative `available` is still missing."""
    return max(sum(waiting) - max(-available, 0), 0)


def serve_waiting(shop_id: int, variant_gid: str, available: int) -> list[int]:
    """Mark the earliest waiting cases the stock covers as restocked and tell them, in case order."""
    waiting = waiting_for(shop_id, variant_gid)
    units = units_for_waiting([short for _, short in waiting], available)
    served = []
    for case, short in waiting:
        if short > units:
            break
        units -= short
        case.status = RESTOCKED
        db.session().add(CaseEvent(shop_id=shop_id, case_id=case.id, kind="restock_allocated",
                                   detail={"variant": variant_gid, "units": short, "position": len(served) + 1}))
        served.append(case.id)
    db.session().commit()
    for case_id in served:
        queues.enqueue("notifications", "jobs.notify.restock_arrived", shop_id, case_id,
                       job_id=f"restock-arrived-{shop_id}-{case_id}")
    return served
