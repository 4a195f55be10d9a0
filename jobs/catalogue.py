"""Catalogue jobs: apply presale, delist or restore per product, and read a variant's stock back from Shopify.

apply_product runs under a fixed job id per shop and product (app.stockout.effects), so an event storm
coalesces into one decision and one set of writes per product. Each job reads the latest state when it
starts, so running it twice is harmless.
"""

from __future__ import annotations

import hashlib
import logging
from contextlib import contextmanager
from dataclasses import replace

from sqlalchemy import select, text

from app import db, queues
from app.models import Shop
from app.shopify.client import client_for
from app.shopify.errors import ShopNotInstalled
from app.stockout import catalogue, ledger, stock_io, updates
from app.stockout.catalogue import Outcome
from app.stockout.effects import Effects, request_evaluation
from app.stockout.stock import lock_variant
from jobs.shop_facts import refresh_shop_facts

log = logging.getLogger("jobs")


def apply_product(shop_id: int, product_gid: str) -> str:
    """Decide the product's catalogue state and carry it out; returns the action taken."""
    return _evaluate(shop_id, product_gid, restore=False).action


def restore_product(shop_id: int, product_gid: str) -> str:
    """Put back exactly what the app changed on the product (the merchant asked), keeping their own edits."""
    return _evaluate(shop_id, product_gid, restore=True).action


def recheck_product(shop_id: int, product_gid: str) -> bool:
    """A grace period ended: ask for a fresh decision."""
    return request_evaluation(shop_id, product_gid)


def reevaluate_shop(shop_id: int) -> int:
    """Ask again about every product out of stock or switched: restock dates pass and metafields change silently.

    Meant to run on a schedule (hourly); returns how many decisions were requested.
    """
    session = db.session()
    shop = session.get(Shop, shop_id)
    if shop is None or not shop.is_installed:
        return 0
    products = catalogue.products_to_watch(session, shop_id)
    session.rollback()
    return sum(1 for product_gid in products if request_evaluation(shop_id, product_gid))


def reevaluate_all_shops() -> int:
    """Queue reevaluate_shop for every installed shop (the schedule's entry point)."""
    session = db.session()
    shop_ids = session.scalars(select(Shop.id).where(Shop.installed_at.is_not(None), Shop.uninstalled_at.is_(None)))
    count = 0
    for shop_id in shop_ids:
        queues.enqueue("low", "jobs.catalogue.reevaluate_shop", shop_id, job_id=f"catalogue-reevaluate-{shop_id}")
        count += 1
    return count


def prune_ledger(older_than_days: int = ledger.KEEP_DAYS) -> int:
    """Forget ledger orders placed before the window (daily): they hold customers' contact details."""
    removed = ledger.prune(db.session(), older_than_days)
    db.session().commit()
    return removed


def refresh_variant_stock(shop_id: int, variant_gid: str) -> bool:
    """Read the variant's levels from Shopify and apply them; False when the shop or variant is gone."""
    return _refresh(shop_id, lambda client: stock_io.read_variant(client, variant_gid))


def refresh_item_stock(shop_id: int, inventory_item_gid: str) -> bool:
    """Read the stock of the variant holding this inventory item (one the app had not met) and apply it."""
    return _refresh(shop_id, lambda client: stock_io.read_item(client, inventory_item_gid))


def _evaluate(shop_id: int, product_gid: str, *, restore: bool) -> Outcome:
    session = db.session()
    shop = session.get(Shop, shop_id)
    if shop is None or not shop.is_installed:
        return Outcome("skipped", 0)
    try:
        with _one_run_per_product(shop_id, product_gid), client_for(shop) as client:
            if not shop.online_store_publication_id:
                _learn_publication(shop)
            outcome = catalogue.evaluate(session, shop, client, product_gid, db.utcnow(), restore=restore)
    except ShopNotInstalled:
        log.info("catalogue decision skipped: not installed", extra={"shop_id": shop_id, "product": product_gid})
        return Outcome("skipped", 0)
    log.info("catalogue decision", extra={"shop_id": shop_id, "product": product_gid, "action": outcome.action,
                                          "changes": outcome.changes, "dry_run": outcome.dry_run})
    return outcome


def _refresh(shop_id: int, read) -> bool:
    session = db.session()
    shop = session.get(Shop, shop_id)
    if shop is None or not shop.is_installed:
        return False
    asked_at = db.utcnow()
    try:
        with client_for(shop) as client:
            found = read(client)
    except ShopNotInstalled:
        return False
    if found is None:
        return False
    effects = Effects(shop_id)
    stock = lock_variant(session, shop_id, found.variant_gid, product_gid=found.product_gid,
                         inventory_item_gid=found.inventory_item_gid, sku=found.sku)
    stock.tracked = found.tracked
    # What Shopify answers is true as of the moment we asked, so it accounts for every order placed before.
    readings = [replace(r, updated_at=max(r.updated_at, asked_at)) for r in found.readings]
    updates.readings_changed(session, shop, stock, readings, db.utcnow(), effects, from_shopify=True)
    session.commit()
    effects.run()
    return True


def _learn_publication(shop: Shop) -> None:
    """The Online Store publication id comes with the shop's facts; fetch them once if they are missing."""
    refresh_shop_facts(shop.id)
    db.session().refresh(shop)
    if not shop.online_store_publication_id:
        raise LookupError(f"shop {shop.id} has no Online Store publication: cannot tell or change what is listed")


@contextmanager
def _one_run_per_product(shop_id: int, product_gid: str):
    """Hold a PostgreSQL advisory lock for the product while a run reads, writes to Shopify and records.

    RQ's fixed job id keeps a second copy out of the queue, but a copy queued while one runs may start on
    another worker; it waits here and then starts from what the first one left.
    """
    engine = db.engine()
    if engine.dialect.name != "postgresql":
        yield
        return
    key = int.from_bytes(hashlib.sha1(f"catalogue:{shop_id}:{product_gid}".encode()).digest()[:8], "big", signed=True)
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
            connection.commit()
