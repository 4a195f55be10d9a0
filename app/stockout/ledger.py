"""The ledger of recent orders with tracked lines: what each line still waits for, whatever order events arrive in."""

from __future__ import annotations

from datetime import datetime, timedelta
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session, contains_eager

from app.db import utcnow
from app.domain.product_changes import AppliedChanges
from app.models import LedgerLine, LedgerOrder, ProductState
from app.stockout.rows import insert_or_ignore
from app.stockout.shortage import Demand

if TYPE_CHECKING:
    from jobs.payloads import OrderFact, OrderLineFact, RefundFact

KEEP_DAYS = 60
PAGE = 200
# A line's and its order's columns open_units reads, so a plain row stands for both.
_DEMAND_COLUMNS = (LedgerLine.id, LedgerLine.line_item_gid, LedgerLine.order_created_at, LedgerLine.tracked,
                   LedgerLine.fulfillable_quantity, LedgerLine.current_quantity, LedgerLine.preordered,
                   LedgerOrder.order_gid, LedgerOrder.cancelled_at, LedgerOrder.refunds, LedgerOrder.refunds_in_quantities)


def record_order(session: Session, shop_id: int, fact: OrderFact) -> set[str]:
    """Record the order's tracked lines; returns the variants whose demand may have changed.

    An event older than the one already recorded (by the order's updated_at) changes nothing.
    """
    lines = [line for line in fact.lines if line.variant_gid]
    if not lines and _order(session, shop_id, fact.order_gid) is None:
        return set()
    order = _order(session, shop_id, fact.order_gid, lock=True)
    if order is None:
        insert_or_ignore(session, LedgerOrder, _order_values(shop_id, fact), ["shop_id", "order_gid"])
        order = _order(session, shop_id, fact.order_gid, lock=True)
    if _is_older(fact.updated_at, order.order_updated_at):
        return set()
    for name, value in _order_values(shop_id, fact).items():
        setattr(order, name, value)
    order.refunds = {**(order.refunds or {}), **{r.refund_gid: _refund_entry(r) for r in fact.refunds}}
    order.refunds_in_quantities = sorted(r.refund_gid for r in fact.refunds)
    known = {line.line_item_gid: line for line in order.lines}
    touched = {line.variant_gid for line in order.lines}
    for line_fact in lines:
        line = known.get(line_fact.line_item_gid) or _new_line(session, shop_id, order, line_fact)
        if fact.cancelled_at is None or line_fact.line_item_gid not in known:
            # A cancelled order's lines keep the quantities they had: until a stock reading after the
            # cancellation, those units are still in the level.
            line.current_quantity = line_fact.current_quantity
            line.fulfillable_quantity = line_fact.fulfillable_quantity
        line.tracked = line_fact.tracked
        touched.add(line.variant_gid)
    session.flush()
    return touched


def record_refund(session: Session, shop_id: int, fact: RefundFact) -> tuple[LedgerOrder | None, set[str]]:
    """Add a refund to its order's record; returns the order (None if not in the ledger) and the variants touched."""
    order = _order(session, shop_id, fact.order_gid, lock=True)
    if order is None:
        return None, set()
    order.refunds = {**(order.refunds or {}), fact.refund_gid: _refund_entry(fact)}
    refunded = set(fact.quantities())
    session.flush()
    return order, {line.variant_gid for line in order.lines if line.line_item_gid in refunded}


def refunded_units(order: LedgerOrder) -> dict[str, int]:
    """Units refunded per line item over all the order's known refunds."""
    totals: dict[str, int] = {}
    for entry in (order.refunds or {}).values():
        for line_gid, units in entry["lines"].items():
            totals[line_gid] = totals.get(line_gid, 0) + units
    return totals


def open_units(order: LedgerOrder, line: LedgerLine, as_of: datetime) -> int:
    """Units of the line the stock level as of `as_of` still owes: 0 for orders placed after it.

    The line's quantities are the latest the order told us; a refund or cancellation newer than the
    reading is not in the level yet, so its units still count, and a refund the level shows but the
    order's quantities do not yet is taken off.
    """
    if not line.tracked or line.order_created_at > as_of:
        return 0
    if order.cancelled_at is not None and order.cancelled_at <= as_of:
        return 0
    units = min(line.fulfillable_quantity, line.current_quantity)
    in_quantities = set(order.refunds_in_quantities or [])
    for refund_gid, entry in (order.refunds or {}).items():
        refunded = entry["lines"].get(line.line_item_gid, 0)
        in_level = entry["at"] is None or datetime.fromisoformat(entry["at"]) <= as_of
        if refund_gid in in_quantities and not in_level:
            units += refunded
        elif refund_gid not in in_quantities and in_level:
            units -= refunded
    return max(0, units)


def newest_demands(
    session: Session, shop_id: int, variant_gid: str, as_of: datetime | None, units: int
) -> list[tuple[Demand, bool]]:
    """What the variant's lines placed up to `as_of` owe, latest first, as far back as it takes to hold `units`
    open units; each with whether the line was a labelled pre-order.

    Shortage goes to the orders placed last (app/stockout/shortage.py), so these are the only lines that can be
    short; a flash sale's thousands of older lines are never read. Every line of the oldest order time reached is
    included, so ties are allocated as over the whole ledger. Read in keyset pages of plain rows: this runs for
    every order and stock event of an oversold variant.
    """
    if as_of is None or units <= 0:
        return []
    query = (
        select(*_DEMAND_COLUMNS).join(LedgerOrder, LedgerOrder.id == LedgerLine.order_id)
        .where(LedgerLine.shop_id == shop_id, LedgerLine.variant_gid == variant_gid,
               LedgerLine.order_created_at <= as_of)
        .order_by(LedgerLine.order_created_at.desc(), LedgerLine.id.desc())
    )
    found: list[tuple[Demand, bool]] = []
    held, cut, last = 0, None, None
    size = min(PAGE, units + 10)  # most lines hold one unit: the first page usually reaches the cut
    while True:
        page = session.execute((query.where(_before(*last)) if last else query).limit(size)).all()
        for row in page:
            if cut is not None and row.order_created_at < cut:
                return found
            demand = Demand(row.line_item_gid, row.order_gid, row.order_created_at, open_units(row, row, as_of))
            found.append((demand, row.preordered))
            held += demand.units
            if cut is None and held >= units:
                cut = row.order_created_at
        if len(page) < size:
            return found
        last, size = (page[-1].order_created_at, page[-1].id), PAGE


def lines_by_item(session: Session, shop_id: int, variant_gid: str, line_item_gids: Iterable[str]) -> list[LedgerLine]:
    """The variant's ledger lines with these line item ids, each with its order (in the same query)."""
    wanted = sorted(set(line_item_gids))
    if not wanted:
        return []
    return list(session.scalars(
        select(LedgerLine).where(LedgerLine.shop_id == shop_id, LedgerLine.variant_gid == variant_gid,
                                 LedgerLine.line_item_gid.in_(wanted))
        .join(LedgerLine.order).options(contains_eager(LedgerLine.order))
    ))


def order_times_between(session: Session, shop_id: int, variant_gid: str, start: datetime, end: datetime) -> list[datetime]:
    """When each order with a line of the variant was placed, for orders placed from `start` to `end`."""
    return list(session.scalars(
        select(LedgerLine.order_created_at).where(
            LedgerLine.shop_id == shop_id, LedgerLine.variant_gid == variant_gid,
            LedgerLine.order_created_at >= start, LedgerLine.order_created_at <= end)
        .group_by(LedgerLine.order_id, LedgerLine.order_created_at)
    ))


def prune(session: Session, older_than_days: int = KEEP_DAYS) -> int:
    """Forget orders placed longer ago than the ledger window (their lines go with them)."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = session.execute(delete(LedgerOrder).where(LedgerOrder.order_created_at < cutoff))
    return result.rowcount


def _order(session: Session, shop_id: int, order_gid: str, *, lock: bool = False) -> LedgerOrder | None:
    query = select(LedgerOrder).where(LedgerOrder.shop_id == shop_id, LedgerOrder.order_gid == order_gid)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalars(query).first()


def _before(order_created_at: datetime, line_id: int):
    """Lines after this one in newest-first order."""
    return or_(LedgerLine.order_created_at < order_created_at,
               and_(LedgerLine.order_created_at == order_created_at, LedgerLine.id < line_id))


def _is_older(incoming: datetime | None, recorded: datetime | None) -> bool:
    return incoming is not None and recorded is not None and incoming < recorded


def _order_values(shop_id: int, fact: OrderFact) -> dict:
    return dict(
        shop_id=shop_id, order_gid=fact.order_gid, order_name=fact.name, order_created_at=fact.created_at,
        order_updated_at=fact.updated_at, cancelled_at=fact.cancelled_at, customer_gid=fact.customer_gid,
        customer_name=fact.customer_name, email=fact.email, phone=fact.phone, customer_locale=fact.customer_locale,
        currency=fact.currency, total_price=fact.total_price,
    )


def _refund_entry(fact: RefundFact) -> dict:
    return {"at": fact.created_at.isoformat() if fact.created_at else None, "lines": fact.quantities()}


def _new_line(session: Session, shop_id: int, order: LedgerOrder, fact: OrderLineFact) -> LedgerLine:
    line = LedgerLine(
        shop_id=shop_id, order=order, line_item_gid=fact.line_item_gid, variant_gid=fact.variant_gid,
        product_gid=fact.product_gid, title=fact.title, sku=fact.sku, unit_price=fact.unit_price,
        quantity=fact.quantity, order_created_at=order.order_created_at,
        preordered=_preordered(session, shop_id, fact, order.order_created_at),
    )
    session.add(line)
    return line


def _preordered(session: Session, shop_id: int, fact: OrderLineFact, placed_at: datetime) -> bool:
    """Whether the customer bought it as a labelled pre-order: the app had the product on presale when they ordered."""
    if fact.product_gid is None:
        return False
    state = session.scalars(
        select(ProductState).where(ProductState.shop_id == shop_id, ProductState.product_gid == fact.product_gid)
    ).first()
    if state is None or state.applied_at is None or state.applied_at > placed_at:
        return False
    applied = AppliedChanges.from_json(state.applied_changes)
    return applied.label is not None and fact.variant_gid in applied.flipped_variants
