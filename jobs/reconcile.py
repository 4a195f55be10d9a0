"""Reconciliation: ask Shopify what changed since the last pass and feed what the webhooks missed to the handlers.

Webhooks are neither guaranteed nor ordered, so every few minutes each installed shop is asked for the orders
and products updated since its cursor. A change the app has not seen becomes a synthetic webhook event
(`reconcile:<gid>:<updatedAt>`), recorded and deduplicated like a real one and drained by the same handlers.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

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


@dataclass(frozen=True)
class Listing:
    document: str
    field: str
    pages_per_job: int
    record: Callable[..., int]
    page_size: int | None = None  # None: the document's default




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


def reconcile_shop(shop_id: int, resume: dict | None = None) -> dict[str, int]:
    """One pass for one shop, or the next stretch of an unfinished one; how many synthetic events it recorded.

    A pass lists at most a few pages of each kind per job. Whatever is left goes on in a follow-up job from the
    same GraphQL page cursor (`resume`), so a burst of thousands of orders is read to its end, a stretch at a time,
    and each cursor moves to the pass's start only once its whole listing has been read.
    """
    shop = db.session().get(Shop, shop_id)
    if shop is None or not shop.is_installed:
        return {}
    resume = resume or _new_pass(shop, db.utcnow())
    counts = {kind: 0 for kind in LISTINGS}
    left: dict[str, dict] = {}
    try:
        with client_for(shop) as client:
            for kind in (kind for kind in LISTINGS if resume.get(kind)):
                try:
                    counts[kind], after = _walk(client, shop, kind, resume[kind])
                except AccessDenied as error:
                    log.warning("reconciliation needs a scope", extra={"shop_id": shop_id, "listing": kind,
                                                                        "error": str(error)})
                    resume = {**resume, kind: None}
                    continue
                if after is not None:
                    left[kind] = {"query": resume[kind]["query"], "after": after}
    except ShopNotInstalled as error:
        log.warning("reconciliation skipped: no usable token", extra={"shop_id": shop_id, "error": str(error)})
        return counts
    _advance_cursors(shop, resume, left)
    if left:
        _continue(shop_id, {"window_started": resume["window_started"], "step": resume.get("step", 0) + 1, **left})
    if any(counts.values()):
        dispatch.request_drain(shop_id)
        log.info("reconciliation found missed changes", extra={"shop_id": shop_id, **counts})
    return counts


def _new_pass(shop: Shop, started: datetime) -> dict:
    inventory = _since(shop.inventory_reconciled_until, shop, started)
    return {"window_started": started.isoformat(), "step": 0,
            "orders": {"query": _since(shop.orders_reconciled_until, shop, started), "after": None},
            "products": {"query": inventory, "after": None}, "variants": {"query": inventory, "after": None}}


def _since(cursor: datetime | None, shop: Shop, started: datetime) -> str:
    moment = (cursor or shop.installed_at or started) - OVERLAP
    return f"updated_at:>='{moment.strftime('%Y-%m-%dT%H:%M:%SZ')}'"


def _walk(client, shop: Shop, kind: str, position: dict) -> tuple[int, str | None]:
    """Record what a few pages of one listing hold; the page cursor to go on from, or None at its end."""
    listing = LISTINGS[kind]
    recorded, after = 0, position["after"]
    for _page in range(listing.pages_per_job):
        size = {"first": listing.page_size} if listing.page_size else {}
        page = client.graphql(listing.document, query=position["query"], after=after, **size)[listing.field]
        recorded += listing.record(client, shop, page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return recorded, None
        after = page["pageInfo"]["endCursor"]
    return recorded, after


def _advance_cursors(shop: Shop, resume: dict, left: dict) -> None:
    """A cursor moves to the pass's start once every listing it covers has been read to its end."""
    window_started = _parse(resume["window_started"])
    if resume.get("orders") and "orders" not in left:
        shop.orders_reconciled_until = window_started
    inventory = ("products", "variants")
    if any(resume.get(kind) for kind in inventory) and not any(kind in left for kind in inventory):
        shop.inventory_reconciled_until = window_started
    db.session().commit()


def _continue(shop_id: int, resume: dict) -> None:
    job_id = f"reconcile-{shop_id}-{_parse(resume['window_started']):%Y%m%dT%H%M%S}-{resume['step']}"
    try:
        queues.queue("low").enqueue("jobs.reconcile.reconcile_shop", args=(shop_id,), kwargs={"resume": resume},
                                    job_id=job_id, unique=True, result_ttl=0, failure_ttl=86400, job_timeout=600)
    except DuplicateJobError:
        log.info("reconciliation stretch already queued", extra={"shop_id": shop_id, "job_id": job_id})


def _record_orders(client, shop: Shop, nodes: list[dict]) -> int:
    recorded = 0
    for gid, updated_at in _orders_not_seen(shop.id, [(node["id"], node["updatedAt"]) for node in nodes]):
        order = _full_order(client, gid)
        if order is not None:
            recorded += _record(shop, "orders/updated", synthetic.event_key(gid, updated_at),
                                synthetic.order_payload(order), updated_at)
    return recorded


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


def _record_products(_client, shop: Shop, nodes: list[dict]) -> int:
    """Updated products go to the products/update handler."""
    return sum(_record(shop, "products/update", synthetic.event_key(product["id"], product["updatedAt"]),
                       synthetic.product_payload(product), product["updatedAt"]) for product in nodes)


def _record_stock_changes(_client, shop: Shop, variants: list[dict]) -> int:
    """Tracked variants whose stock the app holds differently go to the variant stock handler, which reads their
    levels back."""
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


LISTINGS = {
    "orders": Listing(documents.ORDERS_UPDATED_SINCE, "orders", 2, _record_orders),
    "products": Listing(documents.PRODUCTS_FOR_RECONCILIATION, "products", 10, _record_products),
    "variants": Listing(documents.VARIANTS_FOR_RECONCILIATION, "productVariants", 20, _record_stock_changes),
}
