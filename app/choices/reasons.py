"""Why stock ran out, counted per shop, and the supplier's answer the merchant records."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app import db
from app.models import RestockPlan, StockoutCase

MAX_RESPONSE = 2000


def reason_counts(shop_id: int, since: datetime | None = None) -> dict[str, int]:
    """How many cases opened for each reason (since a moment, or ever), most frequent first."""
    query = (
        select(StockoutCase.reason, func.count())
        .where(StockoutCase.shop_id == shop_id)
        .group_by(StockoutCase.reason)
        .order_by(func.count().desc(), StockoutCase.reason)
    )
    if since is not None:
        query = query.where(StockoutCase.detected_at >= since)
    return {reason: count for reason, count in db.session().execute(query)}


def record_supplier_response(shop_id: int, plan_id: int, response: str) -> RestockPlan:
    """Save what the supplier answered on a restock plan (the merchant's words, trimmed)."""
    plan = db.session().get(RestockPlan, plan_id)
    if plan is None or plan.shop_id != shop_id:
        raise LookupError(f"restock plan {plan_id} of shop {shop_id} does not exist")
    text = (response or "").strip()
    if len(text) > MAX_RESPONSE:
        raise ValueError(f"a supplier response is at most {MAX_RESPONSE} characters")
    plan.supplier_response = text or None
    db.session().commit()
    return plan
