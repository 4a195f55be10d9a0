"""Which variants someone waits for: only their rises need the back-in-stock job (waiting orders, then sign-ups)."""

from __future__ import annotations

from typing import Iterable

from sqlalchemy import select, union

from app import db
from app.choices.back_in_stock import WAITING
from app.models import BackInStockSubscription, CaseLine, StockoutCase


def variants_awaited(shop_id: int, variant_gids: Iterable[str]) -> set[str]:
    """The variants among these with a line still short in an open case, or a sign-up still waiting.

    A superset of what jobs.back_in_stock.stock_returned acts on (the job decides exactly), so a storm of
    rises on stock nobody waits for queues no jobs. Read on a connection of its own: it runs after a
    commit, and must neither end nor join the caller's transaction.
    """
    gids = sorted(set(variant_gids))
    if not gids:
        return set()
    short = (
        select(CaseLine.variant_gid).join(StockoutCase, StockoutCase.id == CaseLine.case_id)
        .where(CaseLine.shop_id == shop_id, CaseLine.variant_gid.in_(gids), CaseLine.quantity_short > 0)
        .where(StockoutCase.closed_at.is_(None), StockoutCase.resolved_at.is_(None))
    )
    signed_up = select(BackInStockSubscription.variant_gid).where(
        BackInStockSubscription.shop_id == shop_id, BackInStockSubscription.variant_gid.in_(gids),
        BackInStockSubscription.status == WAITING,
    )
    with db.engine().connect() as connection:
        return set(connection.scalars(union(short, signed_up)))
