"""Offline access tokens at rest (encrypted) and their refresh, serialised per shop."""

from __future__ import annotations

from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from redis.exceptions import LockError

from app import db, queues
from app.models import Shop
from app.shopify import oauth
from app.shopify.errors import ShopifyUnavailable, ShopNotInstalled, TokenRefreshFailed
from app.shopify.oauth import TokenGrant

REFRESH_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: datetime | None

    def fresh(self, now: datetime) -> bool:
        """True while the token has more than the refresh margin left (non-expiring tokens always)."""
        return self.expires_at is None or self.expires_at - now > REFRESH_MARGIN


def _cipher():
    return current_app.extensions["stockout.cipher"]


def store_grant(shop: Shop, grant: TokenGrant) -> None:
    """Write a new token pair onto the shop row, encrypted; the caller commits."""
    cipher = _cipher()
    shop.access_token_encrypted = cipher.encrypt(grant.access_token)
    shop.access_token_expires_at = grant.expires_at
    shop.refresh_token_encrypted = cipher.encrypt(grant.refresh_token) if grant.refresh_token else None
    shop.refresh_token_expires_at = grant.refresh_token_expires_at
    shop.scopes = ",".join(sorted(grant.scopes))


def forget(shop: Shop) -> None:
    """Drop both tokens (uninstall); the caller commits."""
    shop.access_token_encrypted = None
    shop.access_token_expires_at = None
    shop.refresh_token_encrypted = None
    shop.refresh_token_expires_at = None


def current_token(shop_id: int) -> AccessToken:
    """A usable access token for the shop, refreshed first when it expires within 5 minutes."""
    with _own_session() as session:
        shop = _load(session, shop_id)
        stored = _stored(shop)
    if stored.fresh(db.utcnow()):
        return stored
    return refresh(shop_id)


def access_token_for(shop: Shop | int) -> str:
    """The shop's access token, valid for at least the next 5 minutes."""
    return current_token(shop if isinstance(shop, int) else shop.id).token


def refresh(shop_id: int, rejected: str | None = None) -> AccessToken:
    """Refresh under the shop's lock: one exchange however many callers, each gets the new token.

    Without `rejected`, refresh only if the stored token is still due (another caller may have just
    done it); with it, refresh only if the stored token is still the one Shopify rejected. The new
    pair is committed before the lock is released, so the spent refresh token is never used again.
    """
    settings = current_app.config["SETTINGS"]
    with _own_session() as session:
        domain = _load(session, shop_id).domain
    with shop_lock(domain):
        with _own_session() as session:
            shop = _load(session, shop_id)
            stored = _stored(shop)
            still_due = stored.token == rejected if rejected is not None else not stored.fresh(db.utcnow())
            if not still_due:
                return stored
            if not shop.refresh_token_encrypted:
                raise TokenRefreshFailed(f"the token of {domain} was refused and cannot be refreshed; open the app.")
            grant = oauth.refresh_grant(settings, domain, _cipher().decrypt(shop.refresh_token_encrypted))
            store_grant(shop, grant)
            session.commit()
            return AccessToken(grant.access_token, grant.expires_at)


@contextmanager
def shop_lock(domain: str):
    """The per-shop Redis lock that serialises token writes (refresh, install) across workers."""
    # Held across one token request, which shopify_app tries up to three times under our HTTP timeout.
    seconds = 3 * current_app.config["SETTINGS"].http_timeout_seconds + 15
    lock = queues.redis().lock(f"shopify:token-lock:{domain}", timeout=seconds, blocking_timeout=seconds + 5)
    if not lock.acquire():
        raise ShopifyUnavailable(f"timed out waiting for the token lock of {domain}")
    try:
        yield
    finally:
        # A lock that outlived its timeout cannot be released; the commit inside already happened.
        with suppress(LockError):
            lock.release()


@contextmanager
def _own_session():
    """A session of its own: token writes commit without committing the caller's unfinished work.

    On SQLite a caller holding an open write transaction would make this wait (busy timeout);
    PostgreSQL, the production database, has no such limit.
    """
    session = current_app.extensions["stockout.db"]()
    try:
        yield session
    finally:
        session.close()


def _load(session, shop_id: int) -> Shop:
    shop = session.get(Shop, shop_id)
    if shop is None:
        raise ShopNotInstalled(f"no shop with id {shop_id}")
    return shop


def _stored(shop: Shop) -> AccessToken:
    if not shop.access_token_encrypted or shop.uninstalled_at is not None:
        raise ShopNotInstalled(f"the app is not installed on {shop.domain}")
    return AccessToken(_cipher().decrypt(shop.access_token_encrypted), shop.access_token_expires_at)
