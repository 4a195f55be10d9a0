"""The products page: what the app switched to presale or delisted, why, until when, and what it changed."""

from __future__ import annotations

from flask import g, request
from sqlalchemy import and_, select

from app import db
from app.admin.cases_query import PAGE_SIZE, page_of
from app.admin.restock_form import REASONS
from app.models import CatalogueChange, ProductState, RestockPlan, VariantStock

HISTORY_LIMIT = 100


def _plan_join():
    return and_(
        RestockPlan.shop_id == ProductState.shop_id,
        RestockPlan.scope == "product",
        RestockPlan.scope_key == ProductState.product_gid,
    )


def list_context() -> dict:
    """The page of products matching the state filter and title search, with each one's restock plan."""
    shop_id = g.shop.id
    state = (request.args.get("state") or "switched").strip()[:16]
    search = (request.args.get("q") or "").strip()[:100]
    raw_page = (request.args.get("page") or "1").strip()
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) < 100_000 else 1
    where = [ProductState.shop_id == shop_id]
    if state == "switched":
        where.append(ProductState.state != "normal")
    elif state == "leave_alone":
        where.append(ProductState.leave_alone.is_(True))
    elif state != "all":
        where.append(ProductState.state == state)
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(ProductState.title.ilike(f"%{escaped}%", escape="\\"))
    session = db.session()
    statement = (
        select(ProductState, RestockPlan).outerjoin(RestockPlan, _plan_join()).where(*where)
        .order_by(ProductState.decided_at.desc().nulls_last(), ProductState.id.desc())
    )
    rows, total, page = page_of(statement, page, filtered=len(where) > 1)
    pages = max(1, -(-total // PAGE_SIZE))
    states = sorted(session.scalars(select(ProductState.state).where(ProductState.shop_id == shop_id).distinct()))
    return dict(rows=rows, total=total, page=page, pages=pages, state=state, search=search, states=states,
                restock_reasons=REASONS)


def detail_context(product_id: int) -> dict | None:
    """One product: its state, restock plan, variants' stock and the history of the app's changes to it."""
    session = db.session()
    shop_id = g.shop.id
    found = session.execute(
        select(ProductState, RestockPlan).outerjoin(RestockPlan, _plan_join())
        .where(ProductState.shop_id == shop_id, ProductState.id == product_id)
    ).first()
    if found is None:
        return None
    product, plan = found
    variants = session.scalars(
        select(VariantStock).where(VariantStock.shop_id == shop_id, VariantStock.product_gid == product.product_gid)
        .order_by(VariantStock.id)
    )
    history = session.scalars(
        select(CatalogueChange)
        .where(CatalogueChange.shop_id == shop_id, CatalogueChange.product_gid == product.product_gid)
        .order_by(CatalogueChange.created_at.desc(), CatalogueChange.id.desc()).limit(HISTORY_LIMIT)
    )
    return dict(product=product, plan=plan, variants=list(variants), history=list(history),
                restock_reasons=REASONS)
