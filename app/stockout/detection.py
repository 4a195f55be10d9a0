"""Oversold detection: after a variant's stock or orders change, decide who is short and keep the cases in step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import CaseLine, Shop, StockoutCase, VariantStock
from app.stockout import cases, ledger, restock
from app.stockout.effects import Effects
from app.stockout.shortage import SPIKE_WINDOW, allocate_shortage, infer_reason


def reassess_variant(session: Session, shop: Shop, stock: VariantStock, now: datetime, effects: Effects) -> None:
    """Recompute the variant's short lines from its stock and ledger, opening, changing or withdrawing cases.

    The caller holds the variant's row lock, so events for one variant are assessed one at a time. Only the lines
    that can be short (the newest holding the oversold units) and those shown short now are read.
    """
    oversold_by = max(0, -(stock.available or 0)) if stock.tracked else 0
    shown = _case_lines(session, shop.id, stock.variant_gid)
    if not oversold_by and not any(shown.values()):
        return
    newest = ledger.newest_demands(session, shop.id, stock.variant_gid, stock.inventory_updated_at, oversold_by)
    short = allocate_shortage(oversold_by, [demand for demand, _ in newest])
    wanted = {demand.line_item_gid: (0 if preordered else short.get(demand.line_item_gid, 0))
              for demand, preordered in newest}
    differs = [gid for gid in wanted.keys() | shown.keys() if wanted.get(gid, 0) != shown.get(gid, 0)]
    changed = sorted(ledger.lines_by_item(session, shop.id, stock.variant_gid, differs),
                     key=lambda line: (line.order_created_at, line.id))
    if not changed:
        return
    planned = restock.resolve(session, shop, [stock], now)[stock.variant_gid].reason
    order_times = ledger.order_times_between(session, shop.id, stock.variant_gid,
                                             changed[0].order_created_at - SPIKE_WINDOW, changed[-1].order_created_at)
    if any(wanted.get(line.line_item_gid, 0) < shown.get(line.line_item_gid, 0) for line in changed):
        effects.shortage_moved(stock.variant_gid, now)
    touched: dict[int, StockoutCase] = {}
    for line in changed:
        reason = infer_reason(planned, line.order_created_at, stock.last_in_stock_at, order_times)
        units = wanted.get(line.line_item_gid, 0)
        case = cases.set_short(session, shop, line, units, reason, now, effects)
        if case is not None:
            touched[case.id] = case
            if case.notified_at is not None and units < shown.get(line.line_item_gid, 0):
                # A told customer's lines stay as they were told; the unit their order turns out to hold goes to
                # the waiting customers first come, first served, as restocked stock would.
                effects.stock_rose(stock.variant_gid, stock.available)
    for case in touched.values():
        cases.settle(session, shop, case, now, effects)
    if any(wanted.values()):
        effects.evaluate(stock.product_gid)


def awaits_reading(stock: VariantStock, placed_at: datetime) -> bool:
    """Whether an order placed at this time is newer than every stock reading of the variant."""
    return stock.inventory_updated_at is None or placed_at > stock.inventory_updated_at


def _case_lines(session: Session, shop_id: int, variant_gid: str) -> dict[str, int]:
    """Units short per line item as the variant's cases that are still open (or withdrawn) say."""
    rows = session.execute(
        select(CaseLine.line_item_gid, CaseLine.quantity_short, StockoutCase.status, StockoutCase.closed_at,
               StockoutCase.resolved_at)
        .join(StockoutCase, StockoutCase.id == CaseLine.case_id)
        .where(CaseLine.shop_id == shop_id, CaseLine.variant_gid == variant_gid)
    )
    return {
        gid: units for gid, units, status, closed_at, resolved_at in rows
        if status == "withdrawn" or (status not in cases.TERMINAL and closed_at is None and resolved_at is None)
    }
