"""Stock per variant: per-location readings kept order-safe, summed over the locations the shop sells from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import utcnow
from app.domain.catalogue_policy import sellable_available
from app.models import Shop, ShopSettings, VariantStock
from app.stockout.rows import insert_or_ignore
from app.stockout.shop_rules import selling_location_ids


@dataclass(frozen=True)
class Reading:
    """Available units of one variant at one location, as of `updated_at`."""

    location_gid: str
    available: int
    updated_at: datetime


@dataclass(frozen=True)
class StockChange:
    """What applying readings did to a variant: whether anything changed, and whether it crossed out of stock."""

    applied: bool
    tie: bool
    was_out: bool
    is_out: bool
    was_known: bool

    @property
    def crossed(self) -> bool:
        """Whether the product's decision may change: the variant went out or came back (or is first seen out)."""
        return self.is_out != self.was_out if self.was_known else self.is_out


def lock_variant(session: Session, shop_id: int, variant_gid: str, **known) -> VariantStock:
    """The variant's stock row, created if missing and locked until commit, so one event at a time changes it."""
    query = (select(VariantStock).where(VariantStock.shop_id == shop_id, VariantStock.variant_gid == variant_gid)
             .with_for_update().execution_options(populate_existing=True))
    stock = session.scalars(query).first()
    if stock is None:
        insert_or_ignore(session, VariantStock, {"shop_id": shop_id, "variant_gid": variant_gid, "levels": {}},
                         ["shop_id", "variant_gid"])
        stock = session.scalars(query).one()
    describe(stock, **known)
    return stock


def lock_variants_by_items(
    session: Session, shop_id: int, item_gids: list[str]
) -> dict[str, tuple[VariantStock, Shop, ShopSettings | None]]:
    """The stock rows of the variants holding these inventory items, locked, with their shop and settings.

    One query for the lot, locking in row order; an item the app has not met yet is missing from the result.
    """
    rows = session.execute(
        select(VariantStock, Shop, ShopSettings)
        .join(Shop, Shop.id == VariantStock.shop_id)
        .outerjoin(ShopSettings, ShopSettings.shop_id == Shop.id)
        .where(VariantStock.shop_id == shop_id, VariantStock.inventory_item_gid.in_(item_gids))
        .order_by(VariantStock.id)
        .with_for_update(of=VariantStock).execution_options(populate_existing=True)
    ).all()
    found: dict[str, tuple[VariantStock, Shop, ShopSettings | None]] = {}
    for row in rows:
        found.setdefault(row[0].inventory_item_gid, tuple(row))
    return found


def describe(stock: VariantStock, **known) -> None:
    """Fill in what an event says about the variant (product, item, SKU, title, vendor, tracked); None keeps the old."""
    for name, value in known.items():
        if value is not None and getattr(stock, name) != value:
            setattr(stock, name, value)


def is_out(available: int, safety_stock: int) -> bool:
    return available <= safety_stock


def apply_readings(
    shop: Shop, stock: VariantStock, readings: list[Reading], safety_stock: int, *, ties_win: bool = False
) -> StockChange:
    """Keep each location's newest reading (older ones are ignored) and recompute the sellable sum.

    Webhook times are cut to the second, so readings are compared by the second: one from the same
    second as the kept one but different is a tie, and nobody can tell which of the two is newer. Unless it
    came from Shopify's API (`ties_win`), a tie is not applied but reported, and the caller reads the variant
    back from Shopify to settle it: in a flash sale a late duplicate from the same second would otherwise
    lift the level for a moment, and a waiting customer would be told their item is back when it is not.
    """
    was_known = stock.inventory_updated_at is not None
    was_out = is_out(stock.available or 0, safety_stock)
    levels, times = dict(stock.levels or {}), dict(stock.levels_updated_at or {})
    applied = tie = False
    for reading in readings:
        previous = datetime.fromisoformat(times[reading.location_gid]) if reading.location_gid in times else None
        kept = _second(previous) if previous is not None else None
        if kept is not None and _second(reading.updated_at) < kept:
            continue
        if kept == _second(reading.updated_at):
            if levels.get(reading.location_gid) == reading.available:
                continue
            if not ties_win:
                tie = True
                continue
        levels[reading.location_gid] = reading.available
        times[reading.location_gid] = max(reading.updated_at, previous or reading.updated_at).isoformat()
        applied = True
    if not applied:
        return StockChange(False, tie, was_out, was_out, was_known)
    latest = max(datetime.fromisoformat(t) for t in times.values())
    _store(shop, stock, levels, times, latest, safety_stock)
    return StockChange(True, tie, was_out, is_out(stock.available, safety_stock), was_known)


def apply_total(stock: VariantStock, available: int, safety_stock: int) -> StockChange:
    """A total without per-location detail (variants/in_stock, out_of_stock), used only until readings exist."""
    was_out = is_out(stock.available or 0, safety_stock)
    if stock.inventory_updated_at is not None or stock.levels:
        return StockChange(False, False, was_out, was_out, True)
    stock.available = available
    now_out = is_out(available, safety_stock)
    if now_out and stock.out_of_stock_since is None:
        stock.out_of_stock_since = utcnow()
    elif not now_out:
        stock.out_of_stock_since = None
    return StockChange(True, False, was_out, now_out, False)


def _second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _store(shop, stock, levels, times, latest, safety_stock) -> None:
    selling = selling_location_ids(shop)
    available = sellable_available(levels, selling if selling is not None else levels.keys())
    stock.levels, stock.levels_updated_at = levels, times
    stock.available = available
    stock.inventory_updated_at = max(latest, stock.inventory_updated_at or latest)
    if available > 0:
        stock.last_in_stock_at = max(latest, stock.last_in_stock_at or latest)
    if not is_out(available, safety_stock):
        stock.out_of_stock_since = None
    elif stock.out_of_stock_since is None:
        stock.out_of_stock_since = latest


def variants_of_product(session: Session, shop_id: int, product_gid: str) -> list[VariantStock]:
    return list(session.scalars(
        select(VariantStock).where(VariantStock.shop_id == shop_id, VariantStock.product_gid == product_gid)
        .order_by(VariantStock.variant_gid)
    ))
