"""One catalogue decision for one product: read it, decide, plan, carry out (or only record, in dry run), remember.

What the app is about to change is recorded as a claim and committed before any write to Shopify, so
that a write which reached Shopify but whose answer was lost is still restored later; restoring checks
the product as it is, so a claim that never took effect undoes nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.catalogue_policy import (
    CatalogueAction, ProductOverride, ProductStock, RestockInfo, VariantStock as StockFact, decide_catalogue_action,
)
from app.domain.product_changes import AppliedChanges, ChangePlan, plan_apply, plan_restore, simulate
from app.db import utcnow
from app.models import CatalogueChange, ProductState, Shop, VariantStock
from app.shopify.errors import GraphQLErrors, HttpError, UserErrors
from app.stockout import catalogue_io, restock
from app.stockout.effects import Effects
from app.stockout.restock_plans import sync_metafield_plan
from app.stockout.rows import insert_or_ignore
from app.stockout.shop_rules import local_date, shop_settings, thresholds
from app.stockout.stock import apply_total, describe, is_out, lock_variant

log = logging.getLogger("jobs")

PERMANENT = (UserErrors, GraphQLErrors, HttpError)
STATES = {CatalogueAction.PRESALE: "presale", CatalogueAction.KEEP_SELLING: "keep_selling",
          CatalogueAction.DELIST: "delisted"}


@dataclass(frozen=True)
class Outcome:
    """What one run did: the action decided, how many field changes, whether only recorded, any failure."""

    action: str
    changes: int
    dry_run: bool = False
    error: str | None = None


def evaluate(
    session: Session, shop: Shop, client, product_gid: str, now: datetime, *, restore: bool = False
) -> Outcome:
    """Decide and apply the product's catalogue state (or put back what the app changed, with restore=True)."""
    state = lock_state(session, shop.id, product_gid)
    read = catalogue_io.read_product(client, product_gid, shop.online_store_publication_id or "")
    if read is None:
        state.state, state.decided_at = "gone", now
        session.commit()
        return Outcome("gone", 0)
    effects = Effects(shop.id)
    sync_metafield_plan(session, shop, product_gid, read.restock_date_text, read.restock_reason_text, now, effects)
    row = shop_settings(session, shop.id)
    rules = thresholds(row)
    applied = AppliedChanges.from_json(state.applied_changes)
    if restore:
        action, reason, plan = "restore", "merchant_restore", plan_restore(read.snapshot, applied)
    else:
        override = ProductOverride.LEAVE_ALONE if state.leave_alone else ProductOverride.FOLLOW_RULES
        stock, info = _stock_and_restock(session, shop, read, rules.safety_stock, now, effects)
        decision = decide_catalogue_action(stock, info, rules, override, local_date(shop, now),
                                           app_changed=not applied.is_empty(), now=now)
        plan = plan_apply(read.snapshot, decision, applied, shop.locale or "en",
                          row.presale_label_format if row else None)
        action, reason = decision.action.value, decision.reason.value
        if decision.recheck_at is not None:
            effects.recheck(product_gid, decision.recheck_at)
    state.title, state.reason, state.decided_at = read.snapshot.title, reason, now
    if plan.dry_run:
        return _record_dry_run(session, state, plan, action, reason, now, effects)
    return _carry_out(session, shop, client, state, read, plan, action, reason, now, effects)


def products_to_watch(session: Session, shop_id: int) -> list[str]:
    """Products whose decision can change without a stock event: out of stock, or switched by the app."""
    safety = thresholds(shop_settings(session, shop_id)).safety_stock
    out = select(VariantStock.product_gid).where(
        VariantStock.shop_id == shop_id, VariantStock.tracked.is_(True), VariantStock.available <= safety,
        VariantStock.product_gid.is_not(None),
    )
    switched = select(ProductState.product_gid).where(ProductState.shop_id == shop_id,
                                                       ProductState.state.not_in(("normal", "gone")))
    return sorted(set(session.scalars(out)) | set(session.scalars(switched)))


def lock_state(session: Session, shop_id: int, product_gid: str) -> ProductState:
    insert_or_ignore(session, ProductState, {"shop_id": shop_id, "product_gid": product_gid},
                     ["shop_id", "product_gid"])
    return session.scalars(select(ProductState).where(
        ProductState.shop_id == shop_id, ProductState.product_gid == product_gid,
    ).with_for_update().execution_options(populate_existing=True)).one()


def merge_claims(before: AppliedChanges, after: AppliedChanges) -> AppliedChanges:
    """Everything the app may hold after a write that may or may not have happened: both records together."""
    return AppliedChanges(
        original_title=after.original_title or before.original_title,
        label=after.label or before.label,
        tag_added=after.tag_added or before.tag_added,
        flipped_variants={**after.flipped_variants, **before.flipped_variants},
        unpublished=after.unpublished or before.unpublished,
        drafted_from=before.drafted_from or after.drafted_from,
        ship_by_set=after.ship_by_set or before.ship_by_set,
        ship_by_before=before.ship_by_before if before.ship_by_set else after.ship_by_before,
    )


def _stock_and_restock(session, shop, read, safety_stock, now, effects) -> tuple[ProductStock, RestockInfo]:
    """The product's variants with the stock the app knows (Shopify's total where it knows nothing yet)."""
    stocks = []
    for variant in sorted(read.variants, key=lambda v: v.variant_gid):
        stock = lock_variant(session, shop.id, variant.variant_gid, product_gid=read.snapshot.product_id)
        describe(stock, inventory_item_gid=variant.inventory_item_gid, sku=variant.sku, title=variant.title or None,
                 vendor=read.vendor)
        stock.tracked = variant.tracked
        if stock.inventory_updated_at is None and not stock.levels and variant.inventory_quantity is not None:
            apply_total(stock, variant.inventory_quantity, safety_stock)
            effects.read_variant(variant.variant_gid)
        stocks.append(stock)
    out = [s for s in stocks if s.tracked and is_out(s.available, safety_stock)]
    since = [s.out_of_stock_since for s in out if s.out_of_stock_since]
    product = ProductStock(
        read.snapshot.product_id,
        tuple(StockFact(s.variant_gid, s.available, s.tracked) for s in stocks),
        min(since) if since and len(out) == len([s for s in stocks if s.tracked]) else None,
    )
    info = restock.combine(restock.resolve(session, shop, out, now).values()) if out else RestockInfo()
    return product, info


def _record_dry_run(session, state, plan: ChangePlan, action, reason, now, effects) -> Outcome:
    """Record what would change, once per distinct plan, without touching Shopify or the applied record."""
    histories = [op.history() for op in plan.operations]
    digest = hashlib.sha256(json.dumps([action, histories], sort_keys=True).encode()).hexdigest()
    recorded = 0
    if histories and digest != state.dry_run_digest:
        _record_changes(session, state, histories, action, reason, now, dry_run=True)
        recorded = len(histories)
    state.dry_run_digest = digest if histories else None
    session.commit()
    effects.run()
    return Outcome(action, recorded, dry_run=True)


def _carry_out(session, shop, client, state, read, plan: ChangePlan, action, reason, now, effects) -> Outcome:
    before = AppliedChanges.from_json(state.applied_changes)
    if plan.operations:
        state.applied_changes = merge_claims(before, plan.applied).to_json()
        session.commit()
        try:
            catalogue_io.execute(client, state.product_gid, shop.online_store_publication_id, plan.operations)
        except PERMANENT as error:
            log.error("catalogue change refused", extra={"shop_id": shop.id, "product": state.product_gid,
                                                         "error": str(error)})
            state.last_error = str(error)[:4000]
            session.commit()
            effects.run()
            return Outcome(action, 0, error=str(error))
        state.applied_at = utcnow()
        _record_changes(session, state, [op.history() for op in plan.operations], action, reason, now)
    state.applied_changes = None if plan.applied.is_empty() else plan.applied.to_json()
    state.state = _state_name(action, plan.applied, state.state)
    state.ship_by = plan.applied.ship_by_set
    state.title = simulate(read.snapshot, plan).title
    state.last_error, state.dry_run_digest = None, None
    session.commit()
    effects.run()
    return Outcome(action, len(plan.operations))


def _record_changes(session, state, histories, action, reason, now, *, dry_run: bool = False) -> None:
    for history in histories:
        session.add(CatalogueChange(
            shop_id=state.shop_id, product_gid=state.product_gid, action=action, field=history["field"],
            before=history["before"], after=history["after"], reason=reason, dry_run=dry_run, created_at=now,
        ))


def _state_name(action: str, applied: AppliedChanges, previous: str | None) -> str:
    if applied.is_empty():
        return "waiting" if action == CatalogueAction.WAIT_GRACE.value else "normal"
    return STATES.get(CatalogueAction(action), previous or "normal")
