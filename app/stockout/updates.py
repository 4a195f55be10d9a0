"""What each stock or order event changes: stock readings, the ledger, cases, and the follow-up work.

Used by the webhook handlers and by the jobs that read stock back from Shopify. Nothing here commits;
the follow-up work is gathered in an Effects to start after commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import LedgerOrder, ProductState, Shop, VariantStock
from app.stockout import cases, ledger
from app.stockout.detection import awaits_reading, reassess_variant
from app.stockout.effects import Effects, evaluation_running
from app.stockout.shop_rules import shop_settings, thresholds
from app.stockout.stock import Reading, apply_readings, apply_total, lock_variant, lock_variants_by_items

if TYPE_CHECKING:
    from jobs.payloads import InventoryLevelFact, OrderFact, ProductFact, RefundFact, VariantFact


def levels_changed(
    session: Session, shop_id: int, facts: list[InventoryLevelFact], now: datetime, effects: Effects
) -> None:
    """Inventory levels, in arrival order: each variant is locked once and takes its readings as one change.

    The newest reading per location wins whatever order they came in, so a variant that dipped and came back
    within the same facts is judged on where it ended. An item the app has not met yet is read from Shopify.
    """
    by_item: dict[str, list[InventoryLevelFact]] = {}
    for fact in facts:
        by_item.setdefault(fact.inventory_item_gid, []).append(fact)
    found = lock_variants_by_items(session, shop_id, sorted(by_item))
    for item_gid, item_facts in sorted(by_item.items()):
        readings = [Reading(f.location_gid, f.available, f.updated_at) for f in item_facts if f.available is not None]
        if item_gid not in found or len(readings) < len(item_facts):
            effects.read_item(item_gid)
        if item_gid not in found or not readings:
            continue
        stock, shop, settings_row = found[item_gid]
        readings_changed(session, shop, stock, readings, now, effects,
                         safety_stock=thresholds(settings_row).safety_stock)


def readings_changed(
    session: Session, shop: Shop, stock: VariantStock, readings: list[Reading], now: datetime, effects: Effects,
    *, from_shopify: bool = False, safety_stock: int | None = None,
) -> None:
    """Apply readings to a locked variant; reassess who is short, and re-evaluate its product if it crossed out/in."""
    before = stock.available or 0
    was_oversold = before < 0
    safety = _safety(session, shop) if safety_stock is None else safety_stock
    change = apply_readings(shop, stock, readings, safety, ties_win=from_shopify)
    if change.tie:
        effects.read_variant(stock.variant_gid)
    if not change.applied:
        return
    if stock.available > before:
        effects.stock_rose(stock.variant_gid, stock.available)
    if was_oversold or stock.available < 0:
        # Nobody is short while the variant is not oversold, before as after: nothing to reassess.
        reassess_variant(session, shop, stock, now, effects)
    if change.crossed:
        effects.evaluate(stock.product_gid)


def variant_changed(session: Session, shop: Shop, fact: VariantFact, now: datetime, effects: Effects) -> None:
    """variants/in_stock or variants/out_of_stock: a hint that counts only until per-location readings exist.

    The inventory_levels/update behind it brings the exact levels; a variant the app has no readings of
    yet is read back from Shopify.
    """
    stock = lock_variant(session, shop.id, fact.variant_gid, **_described(fact))
    if stock.inventory_updated_at is not None:
        return
    if fact.inventory_quantity is not None:
        change = apply_total(stock, fact.inventory_quantity, _safety(session, shop))
        if change.applied:
            effects.evaluate(stock.product_gid)
    effects.read_variant(fact.variant_gid)


def product_changed(session: Session, shop: Shop, fact: ProductFact, now: datetime, effects: Effects) -> None:
    """products/update: learn the variants' product, item, SKU and vendor; re-evaluate products that may need it."""
    safety = _safety(session, shop)
    for variant in sorted(fact.variants, key=lambda v: v.variant_gid):
        stock = lock_variant(session, shop.id, variant.variant_gid, vendor=fact.vendor, **_described(variant))
        if stock.inventory_updated_at is None and not stock.levels:
            effects.read_variant(variant.variant_gid)
    if _echo_of_our_write(session, shop.id, fact) or evaluation_running(shop.id, fact.product_gid):
        return
    known = session.scalars(select(VariantStock).where(
        VariantStock.shop_id == shop.id, VariantStock.product_gid == fact.product_gid)).all()
    if any(stock.available <= safety for stock in known) or _switched(session, shop.id, fact.product_gid):
        effects.evaluate(fact.product_gid)


def order_changed(session: Session, shop: Shop, fact: OrderFact, now: datetime, effects: Effects) -> None:
    """An order was created, paid, updated or cancelled: update the ledger, close or reassess its cases."""
    touched = ledger.record_order(session, shop.id, fact)
    if not touched:
        return
    products = {line.variant_gid: line.product_gid for line in fact.lines if line.variant_gid}
    stocks = [lock_variant(session, shop.id, gid, product_gid=products.get(gid)) for gid in sorted(touched)]
    order = _ledger_order(session, shop.id, fact.order_gid)
    cases.close_for_order(session, shop, order, now, effects)
    for stock in stocks:
        if awaits_reading(stock, fact.cancelled_at or fact.created_at):
            effects.read_variant(stock.variant_gid)
        reassess_variant(session, shop, stock, now, effects)


def refund_created(session: Session, shop: Shop, fact: RefundFact, now: datetime, effects: Effects) -> None:
    """refunds/create: a refund covering every short line closes the case; the variants are reassessed."""
    order, touched = ledger.record_refund(session, shop.id, fact)
    if order is None:
        return
    stocks = [lock_variant(session, shop.id, gid) for gid in sorted(touched)]
    cases.close_for_order(session, shop, order, now, effects)
    for stock in stocks:
        if awaits_reading(stock, fact.created_at or now):
            effects.read_variant(stock.variant_gid)
        reassess_variant(session, shop, stock, now, effects)


def _described(fact: VariantFact) -> dict:
    return dict(product_gid=fact.product_gid, inventory_item_gid=fact.inventory_item_gid, sku=fact.sku,
                title=fact.title or None)


def _safety(session: Session, shop: Shop) -> int:
    return thresholds(shop_settings(session, shop.id)).safety_stock


def _echo_of_our_write(session: Session, shop_id: int, fact: ProductFact) -> bool:
    """Whether this products/update tells of the app's own last write (nothing new to decide).

    REST times are cut to the second, so an update no later than the end of our last write is ours;
    the merchant's own edits come after it.
    """
    applied_at = session.scalars(select(ProductState.applied_at).where(
        ProductState.shop_id == shop_id, ProductState.product_gid == fact.product_gid)).first()
    return fact.updated_at is not None and applied_at is not None and fact.updated_at <= applied_at


def _switched(session: Session, shop_id: int, product_gid: str) -> bool:
    state = session.scalars(select(ProductState.state).where(
        ProductState.shop_id == shop_id, ProductState.product_gid == product_gid)).first()
    return state not in (None, "normal")


def _ledger_order(session: Session, shop_id: int, order_gid: str) -> LedgerOrder:
    return session.scalars(select(LedgerOrder).where(
        LedgerOrder.shop_id == shop_id, LedgerOrder.order_gid == order_gid)).one()
