"""Stockout cases: one per oversold order, its lines kept in step with who is short, closed when the order goes.

A case nobody has been told about yet follows the ledger both ways: its lines shrink when a later
order turns out to be the short one (events arrived out of order) or stock came back, and it is
withdrawn when nothing is short any more. Once the customer has been notified, lines only grow.
A case the customer already chose on belongs to the choice flow and is not closed from here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.catalogue_policy import RestockReason
from app.models import CaseEvent, CaseLine, LedgerLine, LedgerOrder, Shop, StockoutCase, VariantStock
from app.stockout import ledger, restock
from app.stockout.effects import Effects
from app.stockout.rows import insert_or_ignore
from app.stockout.shop_rules import notice_minutes, shop_settings

TERMINAL = ("cancelled", "closed", "withdrawn", "resolved")


def is_settled(case: StockoutCase) -> bool:
    """Closed, resolved or withdrawn: nothing here changes it any more (a withdrawn case may reopen)."""
    return case.status in TERMINAL or case.closed_at is not None or case.resolved_at is not None


def record_event(session: Session, case: StockoutCase, kind: str, now: datetime, **detail) -> None:
    session.add(CaseEvent(shop_id=case.shop_id, case_id=case.id, kind=kind, detail=detail, created_at=now))


def lock_case(session: Session, shop_id: int, order_gid: str) -> StockoutCase | None:
    return session.scalars(
        select(StockoutCase).where(StockoutCase.shop_id == shop_id, StockoutCase.order_gid == order_gid)
        .with_for_update().execution_options(populate_existing=True)
    ).first()


def set_short(
    session: Session, shop: Shop, line: LedgerLine, units: int, reason: RestockReason, now: datetime, effects: Effects
) -> StockoutCase | None:
    """Make the case of the line's order say `units` short for this line; opens or reopens the case if needed."""
    order = line.order
    case = lock_case(session, shop.id, order.order_gid)
    if case is None and units == 0:
        return None
    if case is None:
        case = _open(session, shop, order, reason, now, effects)
    elif case.status == "withdrawn" and units > 0:
        _reopen(session, shop, case, reason, now, effects)
    elif is_settled(case):
        return None
    _set_line(session, case, line, units)
    return case


def settle(session: Session, shop: Shop, case: StockoutCase, now: datetime, effects: Effects) -> None:
    """After its lines changed: withdraw an un-notified case with nothing short, else refresh its restock date."""
    session.flush()
    if is_settled(case):
        return
    lines = _lines(session, case)
    if not lines and case.notified_at is None:
        case.status, case.closed_at = "withdrawn", now
        record_event(session, case, "withdrawn", now)
        effects.notice("cancel_case", case.id)
        return
    refresh_restock_date(session, shop, case, now, effects)


def close_for_order(session: Session, shop: Shop, order: LedgerOrder, now: datetime, effects: Effects) -> None:
    """A cancelled order cancels its case; refunds covering every short line close it."""
    case = lock_case(session, shop.id, order.order_gid)
    if case is None or is_settled(case) or case.choice is not None:
        return
    if order.cancelled_at is not None:
        case.status = "cancelled"
    else:
        refunded = ledger.refunded_units(order)
        lines = _lines(session, case)
        if not lines or any(refunded.get(cl.line_item_gid, 0) < cl.quantity_short for cl in lines):
            return
        case.status = "closed"
    case.closed_at = now
    record_event(session, case, case.status, now)
    effects.notice("cancel_case", case.id)


def refresh_restock_date(session: Session, shop: Shop, case: StockoutCase, now: datetime, effects: Effects) -> None:
    """Keep the case's restock date in step with its variants' plans; a notified customer hears of a change."""
    new = case_restock_date(session, shop, case, now)
    if new == case.restock_date:
        return
    old, case.restock_date = case.restock_date, new
    if case.notified_at is not None:
        record_event(session, case, "restock_date_changed", now, old=_iso(old), new=_iso(new))
        effects.notice("restock_date_changed", case.id, previous_restock_date=_iso(old), new_restock_date=_iso(new))


def case_restock_date(session: Session, shop: Shop, case: StockoutCase, now: datetime) -> date | None:
    """When every short line can ship: the latest restock date of their variants, None if any is unknown."""
    variant_gids = {cl.variant_gid for cl in _lines(session, case) if cl.variant_gid}
    if not variant_gids:
        return case.restock_date
    stocks = session.scalars(
        select(VariantStock).where(VariantStock.shop_id == shop.id, VariantStock.variant_gid.in_(variant_gids))
    ).all()
    known = {s.variant_gid for s in stocks}
    if known != variant_gids:
        return None
    return restock.combine(restock.resolve(session, shop, stocks, now).values()).expected_on


def active_cases_for(session: Session, shop_id: int, variant_gids: set[str]) -> list[StockoutCase]:
    """Open (not settled) cases with a short line on any of these variants."""
    query = select(StockoutCase).join(CaseLine, CaseLine.case_id == StockoutCase.id).where(
        StockoutCase.shop_id == shop_id, CaseLine.variant_gid.in_(variant_gids),
        StockoutCase.closed_at.is_(None), StockoutCase.resolved_at.is_(None),
        StockoutCase.status.not_in(TERMINAL),
    )
    return list(session.scalars(query.distinct()))


def _open(session, shop, order, reason, now, effects) -> StockoutCase:
    values = dict(
        shop_id=shop.id, order_gid=order.order_gid, order_name=order.order_name, customer_gid=order.customer_gid,
        customer_name=order.customer_name, email=order.email, phone=order.phone,
        customer_locale=order.customer_locale, currency=order.currency, order_total=order.total_price,
        reason=RestockReason(reason).value, status="open", detected_at=now,
        notify_deadline_at=now + timedelta(minutes=notice_minutes(shop_settings(session, shop.id))),
    )
    created = insert_or_ignore(session, StockoutCase, values, ["shop_id", "order_gid"])
    case = lock_case(session, shop.id, order.order_gid)
    if created is not None:
        record_event(session, case, "opened", now, reason=case.reason)
        effects.notice("case_opened", case.id)
    return case


def _reopen(session, shop, case, reason, now, effects) -> None:
    case.status, case.closed_at, case.reason, case.detected_at = "open", None, RestockReason(reason).value, now
    case.notify_deadline_at = now + timedelta(minutes=notice_minutes(shop_settings(session, shop.id)))
    record_event(session, case, "reopened", now, reason=case.reason)
    effects.notice("case_opened", case.id)


def _set_line(session: Session, case: StockoutCase, line: LedgerLine, units: int) -> None:
    current = session.scalars(
        select(CaseLine).where(CaseLine.case_id == case.id, CaseLine.line_item_gid == line.line_item_gid)
    ).first()
    if current is None and units > 0:
        insert_or_ignore(session, CaseLine, dict(
            shop_id=case.shop_id, case_id=case.id, line_item_gid=line.line_item_gid, variant_gid=line.variant_gid,
            product_gid=line.product_gid, title=line.title, sku=line.sku, quantity_ordered=line.quantity,
            quantity_short=units, unit_price=line.unit_price,
        ), ["case_id", "line_item_gid"])
    elif current is not None and units == 0 and case.notified_at is None:
        session.delete(current)
    elif current is not None and (units > current.quantity_short or case.notified_at is None):
        current.quantity_short = units


def _lines(session: Session, case: StockoutCase) -> list[CaseLine]:
    return list(session.scalars(
        select(CaseLine).where(CaseLine.case_id == case.id, CaseLine.quantity_short > 0).order_by(CaseLine.id)
    ))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
