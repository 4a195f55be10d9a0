"""Installing (and reinstalling) a shop: verified grant in, encrypted tokens stored, shop facts fetched."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app import db, queues
from app.models import Shop, ShopSettings
from app.shopify import oauth, scopes, tokens, verify
from app.shopify.errors import InstallRefused
from app.shopify.oauth import TokenGrant


def install_from_session_token(session_token: str | None) -> Shop:
    """Embedded install: verify the App Bridge session token, exchange it for an offline token, store it."""
    settings = current_app.config["SETTINGS"]
    claims = verify.decode_session_token(session_token, settings.shopify_api_key, settings.webhook_secrets)
    domain = verify.shop_from_claims(claims)
    with tokens.shop_lock(domain):
        grant = oauth.exchange_session_token(settings, session_token, claims)
        return complete_install(domain, grant)


def complete_install(domain: str, grant: TokenGrant) -> Shop:
    """Check the granted scopes, store the tokens, mark the shop installed, commit, fetch its facts."""
    lacking = scopes.missing(grant.scopes)
    if lacking:
        raise InstallRefused(
            f"Shopify granted too few permissions: missing {', '.join(lacking)}. Approve all requested access.",
            status=403,
        )
    session = db.session()
    # populate_existing: decide on the row as committed now, not on a copy this session loaded earlier.
    shop = session.scalar(select(Shop).where(Shop.domain == domain).execution_options(populate_existing=True))
    if shop is None:
        shop = Shop(domain=domain)
        session.add(shop)
    tokens.store_grant(shop, grant)
    if shop.installed_at is None or shop.uninstalled_at is not None:
        shop.installed_at = db.utcnow()
    shop.uninstalled_at = None
    session.flush()
    if session.scalar(select(ShopSettings.id).where(ShopSettings.shop_id == shop.id)) is None:
        session.add(ShopSettings(shop_id=shop.id))
    session.commit()
    queues.enqueue("default", "jobs.shop_facts.refresh_shop_facts", shop_id=shop.id, job_id=f"shop-facts-{shop.id}")
    return shop
