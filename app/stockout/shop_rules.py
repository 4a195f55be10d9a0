"""The shop's settings as the stockout code needs them, with the recommended defaults when none are saved."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.catalogue_policy import CatalogueThresholds
from app.models import Shop, ShopSettings

DEFAULT_NOTICE_MINUTES = 120


def shop_settings(session: Session, shop_id: int) -> ShopSettings | None:
    return session.scalars(select(ShopSettings).where(ShopSettings.shop_id == shop_id)).first()


def thresholds(row: ShopSettings | None) -> CatalogueThresholds:
    """The merchant's catalogue thresholds, or the recommended ones."""
    if row is None:
        return CatalogueThresholds()
    return CatalogueThresholds(
        short_days=row.short_days, presale_days=row.presale_days, delist_mode=row.delist_mode,
        grace_minutes=row.grace_minutes, safety_stock=row.safety_stock, dry_run=row.dry_run,
    )


def notice_minutes(row: ShopSettings | None) -> int:
    """Minutes from detecting a case to the deadline by which the customer must hear from us."""
    return row.notice_deadline_minutes if row is not None else DEFAULT_NOTICE_MINUTES


def shop_zone(shop: Shop) -> ZoneInfo:
    try:
        return ZoneInfo(shop.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_date(shop: Shop, moment: datetime) -> date:
    """The shop's calendar date at this moment: restock dates are calendar dates in the shop's zone."""
    return moment.astimezone(shop_zone(shop)).date()


def selling_location_ids(shop: Shop) -> frozenset[str] | None:
    """The locations the shop sells online from; None when the shop's locations are not known yet (count all)."""
    if not shop.locations:
        return None
    return frozenset(
        loc["id"] for loc in shop.locations
        if isinstance(loc, dict) and loc.get("id")
        and loc.get("active", True) and loc.get("fulfills_online_orders", True)
    )
