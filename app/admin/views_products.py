"""Changing products from the admin: restock plans (one, many, or a CSV) and "leave alone", via the stockout service."""

from __future__ import annotations

from flask import abort, g, jsonify
from sqlalchemy import select

from app import db
from app.admin.auth import api
from app.admin.restock_form import explain_row, parse_restock
from app.admin.shop_state import shop_today
from app.admin.i18n import t
from app.admin.responses import form_data, refused
from app.models import ProductState
from app.stockout.effects import Effects, request_evaluation
from app.stockout.restock import PlanScope, RestockPlanError
from app.stockout.restock_csv import import_restock_csv
from app.stockout.restock_plans import plans_changed, save_plan

MAX_CSV_BYTES = 2 * 1024 * 1024


@api
def restock():
    """One restock plan for each chosen product, all saved in one transaction, then re-evaluated."""
    entry, errors = parse_restock(form_data(), shop_today(g.shop, db.utcnow()))
    if errors:
        return refused(errors)
    session = db.session()
    gids = list(session.scalars(select(ProductState.product_gid).where(
        ProductState.shop_id == g.shop.id, ProductState.id.in_(entry.product_ids)
    )))
    if len(gids) != len(entry.product_ids):
        return refused({"product_ids": ("err.no_products", {})})
    effects = Effects(g.shop.id)
    try:
        for gid in gids:
            save_plan(session, g.shop.id, PlanScope.PRODUCT.value, gid, entry.restock_date, entry.lead_time_days,
                      entry.reason, "admin", None)
        plans_changed(session, g.shop, [(PlanScope.PRODUCT.value, gid) for gid in gids], db.utcnow(), effects)
    except RestockPlanError as error:
        session.rollback()
        return jsonify(ok=False, errors={}, message=explain_row(str(error), g.locale)), 422
    session.commit()
    effects.run()
    return jsonify(ok=True, message=t(g.locale, "product.restock_saved", n=len(gids)))


@api
def import_csv():
    text = str(form_data().get("csv") or "")
    if not text.strip():
        return refused({"csv": ("err.csv_empty", {})})
    if len(text.encode("utf-8")) > MAX_CSV_BYTES:
        return refused({"csv": ("err.csv_large", {})})
    applied, problems = import_restock_csv(g.shop.id, text)
    rows = [{"row": p.row, "message": explain_row(p.message, g.locale)} for p in problems]
    message = t(g.locale, "product.import_done", applied=applied, refused=len(rows))
    return jsonify(ok=not rows or applied > 0, applied=applied, problems=rows, message=message)


@api
def leave_alone(product_id: int):
    """Tell the app to stop (or resume) switching this product; its catalogue decision is taken again."""
    session = db.session()
    product = session.scalar(select(ProductState).where(
        ProductState.shop_id == g.shop.id, ProductState.id == product_id
    ))
    if product is None:
        abort(404)
    wanted = str(form_data().get("leave_alone") or "").lower() in ("1", "true", "on", "yes")
    product.leave_alone = wanted
    session.commit()
    request_evaluation(g.shop.id, product.product_gid)
    key = "product.left_alone" if wanted else "product.followed"
    return jsonify(ok=True, leave_alone=wanted, message=t(g.locale, key))
