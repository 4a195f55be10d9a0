"""Restock information: the plan that applies to a variant (variant, then product, then vendor, then shop default).

A product's plan comes from the admin or from its `stockout.restock_date` / `stockout.restock_reason`
metafields, whichever the merchant changed last. A lead time counts from the day the variant ran out.
No date means unknown: nothing here ever makes one up.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from app.domain.catalogue_policy import RestockInfo, RestockReason
from app.models import RestockPlan, Shop, VariantStock
from app.stockout.shop_rules import local_date

METAFIELD_NAMESPACE = "stockout"
METAFIELD_DATE_KEY = "restock_date"
METAFIELD_REASON_KEY = "restock_reason"


class PlanScope(str, Enum):
    VARIANT = "variant"
    PRODUCT = "product"
    METAFIELD = "metafield"
    VENDOR = "vendor"
    SHOP = "shop"


class RestockPlanError(ValueError):
    """A restock plan the merchant asked for that cannot be saved; the message says why."""


def check_plan(scope: str, scope_key: str, restock_date: date | None, lead_time_days: int | None, reason: str):
    """Refuse a malformed plan with a message for the merchant; returns (scope, key, reason) normalised."""
    try:
        scope = PlanScope(scope)
    except ValueError:
        raise RestockPlanError(f"unknown scope {scope!r}: use variant, product, vendor or shop") from None
    kinds = {PlanScope.VARIANT: "ProductVariant", PlanScope.PRODUCT: "Product", PlanScope.METAFIELD: "Product"}
    key = (scope_key or "").strip()
    if scope in kinds and not key.startswith(f"gid://shopify/{kinds[scope]}/"):
        raise RestockPlanError(f"a {scope.value} plan needs a {kinds[scope]} id, got {scope_key!r}")
    if scope == PlanScope.VENDOR and not key:
        raise RestockPlanError("a vendor plan needs the vendor's name")
    if scope == PlanScope.SHOP:
        key = ""
    if restock_date is not None and not isinstance(restock_date, date):
        raise RestockPlanError("the restock date must be a calendar date")
    if lead_time_days is not None and (isinstance(lead_time_days, bool) or not isinstance(lead_time_days, int)
                                       or lead_time_days < 0):
        raise RestockPlanError("the lead time must be a whole number of days, 0 or more")
    try:
        reason = RestockReason(reason or RestockReason.UNKNOWN)
    except ValueError:
        known = ", ".join(r.value for r in RestockReason)
        raise RestockPlanError(f"unknown reason {reason!r}: use one of {known}") from None
    return scope, key, reason


def plans_for(session: Session, shop_id: int, stocks: Iterable[VariantStock]) -> list[RestockPlan]:
    """Every plan that could apply to these variants, in one query."""
    stocks = list(stocks)
    variants = {s.variant_gid for s in stocks}
    products = {s.product_gid for s in stocks if s.product_gid}
    vendors = {s.vendor for s in stocks if s.vendor}
    wanted = [
        and_(RestockPlan.scope == PlanScope.VARIANT.value, RestockPlan.scope_key.in_(variants)),
        and_(RestockPlan.scope.in_((PlanScope.PRODUCT.value, PlanScope.METAFIELD.value)),
             RestockPlan.scope_key.in_(products)),
        and_(RestockPlan.scope == PlanScope.VENDOR.value, RestockPlan.scope_key.in_(vendors)),
        RestockPlan.scope == PlanScope.SHOP.value,
    ]
    return list(session.scalars(select(RestockPlan).where(RestockPlan.shop_id == shop_id, or_(*wanted))))


def plan_for(plans: list[RestockPlan], stock: VariantStock) -> RestockPlan | None:
    """The plan that applies: the variant's own, else the product's latest, else the vendor's, else the shop's."""
    def of(*scopes: PlanScope, key: str | None) -> list[RestockPlan]:
        return [p for p in plans if p.scope in {s.value for s in scopes} and p.scope_key == (key or "")]

    for found in (
        of(PlanScope.VARIANT, key=stock.variant_gid),
        of(PlanScope.PRODUCT, PlanScope.METAFIELD, key=stock.product_gid) if stock.product_gid else [],
        of(PlanScope.VENDOR, key=stock.vendor) if stock.vendor else [],
        of(PlanScope.SHOP, key=""),
    ):
        if found:
            return max(found, key=lambda p: (p.updated_at, p.id))
    return None


def restock_info(shop: Shop, plan: RestockPlan | None, stock: VariantStock, now: datetime) -> RestockInfo:
    """The plan as a date and reason for this variant; a lead time counts from the day it ran out."""
    if plan is None:
        return RestockInfo()
    reason = RestockReason(plan.reason or RestockReason.UNKNOWN)
    if plan.restock_date is not None:
        return RestockInfo(plan.restock_date, reason)
    if plan.lead_time_days is not None:
        ran_out = local_date(shop, stock.out_of_stock_since or now)
        return RestockInfo.from_lead_time(plan.lead_time_days, ran_out, reason)
    return RestockInfo(None, reason)


def resolve(session: Session, shop: Shop, stocks: Iterable[VariantStock], now: datetime) -> dict[str, RestockInfo]:
    """Restock information per variant."""
    stocks = list(stocks)
    plans = plans_for(session, shop.id, stocks)
    return {s.variant_gid: restock_info(shop, plan_for(plans, s), s, now) for s in stocks}


def combine(infos: Iterable[RestockInfo]) -> RestockInfo:
    """One restock for several variants: the latest date, unknown if any is unknown; the first reason given."""
    infos = list(infos)
    if not infos:
        return RestockInfo()
    known = [i.reason for i in infos if i.reason != RestockReason.UNKNOWN]
    reason = known[0] if known else RestockReason.UNKNOWN
    if any(i.expected_on is None for i in infos):
        return RestockInfo(None, reason)
    return RestockInfo(max(i.expected_on for i in infos), reason)


def metafield_plan(date_text: str | None, reason_text: str | None) -> tuple[date | None, RestockReason] | None:
    """What the product's stockout metafields say; None when neither is set."""
    if not date_text and not reason_text:
        return None
    day = None
    if date_text:
        try:
            day = date.fromisoformat(date_text.strip()[:10])
        except ValueError:
            day = None
    reason = RestockReason.UNKNOWN
    if reason_text:
        cleaned = reason_text.strip().lower().replace(" ", "_").replace("-", "_")
        reason = RestockReason(cleaned) if cleaned in {r.value for r in RestockReason} else RestockReason.OTHER
    return day, reason
