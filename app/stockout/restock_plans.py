"""Setting restock plans (admin, CSV, metafields) and what follows: products re-evaluated, cases' dates updated."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from app import db
from app.models import ProductState, RestockPlan, Shop, VariantStock
from app.stockout import cases
from app.stockout.effects import Effects
from app.stockout.restock import PlanScope, check_plan, metafield_plan
from app.stockout.rows import insert_or_ignore
from app.stockout.shop_rules import shop_settings, thresholds


def set_restock_plan(
    shop_id: int,
    scope: str,
    scope_key: str = "",
    *,
    restock_date: date | None = None,
    lead_time_days: int | None = None,
    reason: str = "unknown",
    source: str = "admin",
    supplier_response: str | None = None,
) -> RestockPlan:
    """Save the restock plan of a variant, product, vendor or the shop, commit, and re-evaluate what it affects.

    Raises RestockPlanError (a ValueError) with a message for the merchant when the plan is malformed.
    """
    session, effects = db.session(), Effects(shop_id)
    plan = save_plan(session, shop_id, scope, scope_key, restock_date, lead_time_days, reason, source,
                     supplier_response)
    plans_changed(session, _shop(session, shop_id), [(plan.scope, plan.scope_key)], db.utcnow(), effects)
    session.commit()
    effects.run()
    return plan


def clear_restock_plan(shop_id: int, scope: str, scope_key: str = "") -> bool:
    """Remove a restock plan (the next one in line applies), commit, and re-evaluate; False if there was none."""
    session, effects = db.session(), Effects(shop_id)
    scope_value, key, _ = check_plan(scope, scope_key, None, None, "unknown")
    removed = session.execute(delete(RestockPlan).where(
        RestockPlan.shop_id == shop_id, RestockPlan.scope == scope_value.value, RestockPlan.scope_key == key,
    )).rowcount
    if removed:
        plans_changed(session, _shop(session, shop_id), [(scope_value.value, key)], db.utcnow(), effects)
    session.commit()
    effects.run()
    return bool(removed)


def save_plan(
    session: Session, shop_id: int, scope: str, scope_key: str, restock_date: date | None,
    lead_time_days: int | None, reason: str, source: str, supplier_response: str | None,
) -> RestockPlan:
    """Insert or update one plan (no commit)."""
    scope_value, key, reason_value = check_plan(scope, scope_key, restock_date, lead_time_days, reason)
    insert_or_ignore(session, RestockPlan, {"shop_id": shop_id, "scope": scope_value.value, "scope_key": key},
                     ["shop_id", "scope", "scope_key"])
    plan = session.scalars(select(RestockPlan).where(
        RestockPlan.shop_id == shop_id, RestockPlan.scope == scope_value.value, RestockPlan.scope_key == key,
    ).with_for_update().execution_options(populate_existing=True)).one()
    plan.restock_date, plan.lead_time_days, plan.reason = restock_date, lead_time_days, reason_value.value
    plan.source, plan.supplier_response = source, supplier_response
    plan.updated_at = db.utcnow()
    session.flush()
    return plan


def sync_metafield_plan(
    session: Session, shop: Shop, product_gid: str, date_text: str | None, reason_text: str | None,
    now: datetime, effects: Effects,
) -> bool:
    """Take in the product's stockout.restock_date / restock_reason metafields when they changed; True if so."""
    found = metafield_plan(date_text, reason_text)
    current = session.scalars(select(RestockPlan).where(
        RestockPlan.shop_id == shop.id, RestockPlan.scope == PlanScope.METAFIELD.value,
        RestockPlan.scope_key == product_gid,
    )).first()
    if found is None:
        if current is None:
            return False
        session.delete(current)
    else:
        day, reason = found
        if current is not None and (current.restock_date, current.reason, current.supplier_response) == (
            day, reason.value, reason_text
        ):
            return False
        save_plan(session, shop.id, PlanScope.METAFIELD.value, product_gid, day, None, reason.value, "metafield",
                  reason_text)
    plans_changed(session, shop, [(PlanScope.METAFIELD.value, product_gid)], now, effects)
    return True


def plans_changed(
    session: Session, shop: Shop, scopes: list[tuple[str, str]], now: datetime, effects: Effects
) -> None:
    """Re-evaluate the products these plans touch that are out of stock or switched, and refresh their cases."""
    session.flush()
    stocks = _affected(session, shop.id, scopes)
    safety = thresholds(shop_settings(session, shop.id)).safety_stock
    switched = set(session.scalars(select(ProductState.product_gid).where(
        ProductState.shop_id == shop.id, ProductState.state != "normal",
    )))
    for stock in stocks:
        if stock.product_gid and (stock.available <= safety or stock.product_gid in switched):
            effects.evaluate(stock.product_gid)
    for case in cases.active_cases_for(session, shop.id, {s.variant_gid for s in stocks}):
        cases.refresh_restock_date(session, shop, case, now, effects)


def _affected(session: Session, shop_id: int, scopes: list[tuple[str, str]]) -> list[VariantStock]:
    query = select(VariantStock).where(VariantStock.shop_id == shop_id)
    conditions = []
    for scope, key in scopes:
        if scope == PlanScope.SHOP.value:
            return list(session.scalars(query))
        column = {PlanScope.VARIANT.value: VariantStock.variant_gid, PlanScope.VENDOR.value: VariantStock.vendor}.get(
            scope, VariantStock.product_gid
        )
        conditions.append(column == key)
    return list(session.scalars(query.where(or_(*conditions)))) if conditions else []


def _shop(session: Session, shop_id: int) -> Shop:
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise LookupError(f"no shop with id {shop_id}")
    return shop
