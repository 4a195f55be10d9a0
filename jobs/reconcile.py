"""Reconciliation: ask Shopify what changed since the last pass and feed what the webhooks missed to the handlers.

Webhooks are neither guaranteed nor ordered, so every few minutes each installed shop is asked for the orders
and products updated since its cursor. A change the app has not seen becomes a synthetic webhook event
(`reconcile:<gid>:<updatedAt>`), recorded and deduplicated like a real one and drained by the same handlers.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from flask import current_app
from rq.exceptions import DuplicateJobError
from sqlalchemy import select

from app import db, queues
from app.models import LedgerOrder, Shop, VariantStock, WebhookEvent
from app.shopify import documents
from app.shopify.client import client_for
from app.shopify.errors import AccessDenied, ShopNotInstalled
from webhooks import dispatch, synthetic
from webhooks.recording import Envelope, record_delivery

log = logging.getLogger("jobs.reconcile")

# Shopify's search index trails writes; looking back past the cursor costs nothing (keys deduplicate).
OVERLAP = timedelta(minutes=10)
MAX_ORDERS_PER_PASS = 200
MAX_PRODUCT_PAGES = 10
MAX_VARIANT_PAGES = 20


def reconcile_all() -> list[int]:
    """Queue one reconciliation per installed shop (the periodic job); a shop already queued is skipped."""
    session = db.session()
    shop_ids = list(session.scalars(select(Shop.id).where(Shop.installed_at.is_not(None), Shop.uninstalled_at.is_(None))))
    session.rollback()
    queue = queues.queue("low")
    for shop_id in shop_ids:
        try:
            queue.enqueue("jobs.reconcile.reconcile_shop", args=(shop_id,), job_id=f"reconcile-{shop_id}", unique=True,
                          result_ttl=0, failure_ttl=240, job_timeout=600)
        except DuplicateJobError:
            log.info("reconciliation still queued or running", extra={"shop_id": shop_id})
    return shop_ids


def reconcile_shop(shop_id: int) -> dict[str, int]:
    """One pass for one shop; returns how many synthetic events it recorded, by kind."""
    shop = db.session().get(Shop, shop_id)
    if shop is None or not shop.is_installed:
        return {}
    started = db.utcnow()
    counts = {"orders": 0, "products": 0, "variants": 0}
    try:
        with client_for(shop) as client:
            counts["orders"] = _reconcile_orders(client, shop, started)
            counts["products"], counts["variants"] = _reconcile_inventory(client, shop, started)
    except ShopNotInstalled as error:
        log.warning("reconciliation skipped: no usable token", extra={"shop_id": shop_id, "error": str(error)})
    if any(counts.values()):
        dispatch.request_drain(shop_id)
        log.info("reconciliation found missed changes", extra={"shop_id": shop_id, **counts})
    return counts


def _since(cursor: datetime | None, shop: Shop, started: datetime) -> str:
    moment = (cursor or shop.installed_at or started) - OVERLAP
    return f"updated_at:>='{moment.strftime('%Y-%m-%dT%H:%M:%SZ')}'"


def _reconcile_orders(client, shop: Shop, started: datetime) -> int:
    updated, complete = _updated_orders(client, _since(shop.orders_reconciled_until, shop, started))
    missed = _orders_not_seen(shop.id, updated)
    recorded = 0
    for gid, updated_at in missed:
        order = _full_order(client, gid)
        if order is not None:
            recorded += _record(shop, "orders/updated", synthetic.event_key(gid, updated_at),
                                synthetic.order_payload(order), updated_at)
    shop.orders_reconciled_until = started if complete else _parse(updated[-1][1])
    db.session().commit()
    return recorded


def _updated_orders(client, query: str) -> tuple[list[tuple[str, str]], bool]:
    """(gid, updatedAt) of orders updated since, oldest first; False when the pass stopped at its limit."""
    found, after = [], None
    while True:
        page = client.graphql(documents.ORDERS_UPDATED_SINCE, query=query, after=after)["orders"]
        found += [(node["id"], node["updatedAt"]) for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found, True
        if len(found) >= MAX_ORDERS_PER_PASS:
            return found, False
        after = page["pageInfo"]["endCursor"]


def _orders_not_seen(shop_id: int, updated: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop orders whose version was already recorded, or whose ledger entry (from a webhook) is as new."""
    if not updated:
        return []
    session = db.session()
    keys = {synthetic.event_key(gid, at) for gid, at in updated}
    recorded = set(session.scalars(select(WebhookEvent.event_id).where(WebhookEvent.event_id.in_(keys))))
    ledger = dict(session.execute(select(LedgerOrder.order_gid, LedgerOrder.order_updated_at).where(
        LedgerOrder.shop_id == shop_id, LedgerOrder.order_gid.in_({gid for gid, _ in updated}))).all())
    return [(gid, at) for gid, at in updated if synthetic.event_key(gid, at) not in recorded
            and not (ledger.get(gid) and ledger[gid] >= _parse(at))]


def _full_order(client, gid: str) -> dict | None:
    """The order with all its line items (paged)."""
    order, after = None, None
    while True:
        page = client.graphql(documents.ORDER_FOR_RECONCILIATION, id=gid, lineItemsAfter=after)["order"]
        if page is None:
            return order
        if order is None:
            order = page
        else:
            order["lineItems"]["nodes"] += page["lineItems"]["nodes"]
        if not page["lineItems"]["pageInfo"]["hasNextPage"]:
            return order
        after = page["lineItems"]["pageInfo"]["endCursor"]


def _reconcile_inventory(client, shop: Shop, started: datetime) -> tuple[int, int]:
    """Updated products go to the products/update handler; updated tracked variants whose stock the app holds
    differently go to the variant stock handler, which reads their levels back."""
    query = _since(shop.inventory_reconciled_until, shop, started)
    try:
        products, products_until = _reconcile_products(client, shop, query)
        variants, variants_complete = _reconcile_variants(client, shop, query)
    except AccessDenied as error:
        log.warning("inventory reconciliation needs read_products", extra={"shop_id": shop.id, "error": str(error)})
        return 0, 0
    if variants_complete:
        # Variants cannot be listed by update time, so an unfinished variant pass leaves the cursor where it was.
        shop.inventory_reconciled_until = products_until or started
    db.session().commit()
    return products, variants


def _reconcile_products(client, shop: Shop, query: str) -> tuple[int, datetime | None]:
    """Record products updated since (oldest first); the time to resume from if the pass stopped at its limit."""
    recorded, after = 0, None
    for _page in range(MAX_PRODUCT_PAGES):
        page = client.graphql(documents.PRODUCTS_FOR_RECONCILIATION, query=query, after=after)["products"]
        for product in page["nodes"]:
            recorded += _record(shop, "products/update", synthetic.event_key(product["id"], product["updatedAt"]),
                                synthetic.product_payload(product), product["updatedAt"])
        if not page["pageInfo"]["hasNextPage"]:
            return recorded, None
        after = page["pageInfo"]["endCursor"]
    return recorded, _parse(page["nodes"][-1]["updatedAt"])


def _reconcile_variants(client, shop: Shop, query: str) -> tuple[int, bool]:
    """Record stock changes of tracked variants updated since; False when the pass stopped at its limit."""
    recorded, after = 0, None
    for _page in range(MAX_VARIANT_PAGES):
        page = client.graphql(documents.VARIANTS_FOR_RECONCILIATION, query=query, after=after)["productVariants"]
        recorded += _record_stock_changes(shop, page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return recorded, True
        after = page["pageInfo"]["endCursor"]
    return recorded, False


def _record_stock_changes(shop: Shop, variants: list[dict]) -> int:
    tracked = [v for v in variants if (v.get("inventoryItem") or {}).get("tracked")]
    held = dict(db.session().execute(select(VariantStock.variant_gid, VariantStock.available).where(
        VariantStock.shop_id == shop.id, VariantStock.variant_gid.in_([v["id"] for v in tracked]))).all())
    recorded = 0
    for variant in tracked:
        quantity = variant.get("inventoryQuantity")
        if quantity is None or held.get(variant["id"]) == quantity:
            continue
        topic = "variants/out_of_stock" if quantity <= 0 else "variants/in_stock"
        recorded += _record(shop, topic, synthetic.event_key(variant["id"], variant["updatedAt"]),
                            synthetic.variant_payload(variant, variant["product"]["id"]), variant["updatedAt"])
    return recorded


def _record(shop: Shop, topic: str, key: str, payload: dict, updated_at: str) -> int:
    """Record one synthetic event like a delivery; 1 if it was new."""
    envelope = Envelope(topic=topic, shop_domain=shop.domain, event_id=key, webhook_id=None,
                        api_version=current_app.config["SETTINGS"].shopify_api_version,
                        triggered_at=_parse(updated_at))
    with db.engine().begin() as connection:
        recorded = record_delivery(connection, envelope, json.dumps(payload).encode())
    return int(recorded.status == "pending")


def _parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment)
