"""Shop facts (name, contact e-mail, currency, time zone, primary locale, locations, Online Store), kept current."""

from __future__ import annotations

import logging

from sqlalchemy import select

from app import db, queues
from app.models import Shop
from app.shopify import documents
from app.shopify.client import AdminClient, client_for
from app.shopify.errors import ShopNotInstalled

log = logging.getLogger("jobs")

ONLINE_STORE = "Online Store"


def refresh_shop_facts(shop_id: int) -> bool:
    """Fetch the shop's facts from Shopify and store them; False when the shop is no longer installed."""
    shop = db.session().get(Shop, shop_id)
    if shop is None or not shop.is_installed:
        return False
    try:
        with client_for(shop) as client:
            facts = client.graphql(documents.SHOP_FACTS)
            locations = _all_nodes(client, documents.SHOP_LOCATIONS, "locations")
            publications = _all_nodes(client, documents.PUBLICATIONS, "publications")
    except ShopNotInstalled:
        log.info("shop facts skipped: not installed", extra={"shop_id": shop_id})
        return False
    apply_facts(shop, facts, locations, publications)
    db.session().commit()
    return True


def apply_facts(shop: Shop, facts: dict, locations: list[dict], publications: list[dict]) -> None:
    """Copy what Shopify said onto the shop row (pure over its inputs; the caller commits)."""
    about = facts["shop"]
    shop.name = about["name"]
    shop.contact_email = about.get("contactEmail") or about.get("email") or ""
    shop.currency = about["currencyCode"]
    shop.timezone = about["ianaTimezone"] or "UTC"
    primary = next((loc["locale"] for loc in facts.get("shopLocales") or [] if loc.get("primary")), None)
    shop.locale = primary or shop.locale
    shop.locations = [{"id": loc["id"], "name": loc["name"], "active": loc["isActive"]} for loc in locations]
    online_store = next((p["id"] for p in publications if (p.get("catalog") or {}).get("title") == ONLINE_STORE), None)
    shop.online_store_publication_id = online_store or shop.online_store_publication_id


def _all_nodes(client: AdminClient, document: str, field: str) -> list[dict]:
    nodes, after = [], None
    while True:
        page = client.graphql(document, after=after)[field]
        nodes.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def refresh_all_shop_facts() -> int:
    """Queue a facts refresh for every installed shop (a daily schedule keeps names and zones current)."""
    installed = select(Shop.id).where(Shop.uninstalled_at.is_(None), Shop.installed_at.is_not(None))
    shop_ids = db.session().scalars(installed).all()
    count = 0
    for shop_id in shop_ids:
        queues.enqueue("low", "jobs.shop_facts.refresh_shop_facts", shop_id=shop_id, job_id=f"shop-facts-{shop_id}")
        count += 1
    return count
