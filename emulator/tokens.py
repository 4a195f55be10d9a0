"""Access tokens, refresh tokens and authorization codes this emulator issues, and their validity rules."""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class AccessToken:
    token: str
    shop: str
    scopes: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime | None
    online: bool = False
    user_id: int | None = None


@dataclass
class RefreshToken:
    token: str
    shop: str
    scopes: tuple[str, ...]
    expires_at: datetime
    parent: str | None = None
    revoked: bool = False


@dataclass
class AuthCode:
    code: str
    shop: str
    scopes: tuple[str, ...]
    expires_at: datetime
    online: bool
    user_id: int


def issue_access(store, shop: str, scopes, *, ttl: int | None, online: bool = False,
                 user_id: int | None = None) -> AccessToken:
    """A new access token; ttl None means non-expiring (legacy offline)."""
    now = store.now()
    prefix = "shpua_" if online else "shpat_"
    token = AccessToken(prefix + secrets.token_hex(16), shop, tuple(scopes), now,
                        now + timedelta(seconds=ttl) if ttl is not None else None, online, user_id)
    store.access_tokens[token.token] = token
    return token


def issue_refresh(store, shop: str, scopes, *, ttl: int, parent: str | None = None) -> RefreshToken:
    token = RefreshToken("shprt_" + secrets.token_hex(16), shop, tuple(scopes),
                         store.now() + timedelta(seconds=ttl), parent)
    store.refresh_tokens[token.token] = token
    return token


def valid_access(store, value: str | None, shop: str) -> AccessToken | None:
    """The token if it was issued for `shop` and has not expired or been revoked."""
    token = store.access_tokens.get(value or "")
    if token is None or token.shop != shop:
        return None
    if token.expires_at is not None and token.expires_at <= store.now():
        return None
    return token


def revoke_shop(store, shop: str) -> None:
    """Uninstall: every credential for the shop stops working."""
    for registry in (store.access_tokens, store.refresh_tokens, store.auth_codes):
        for key in [k for k, v in registry.items() if v.shop == shop]:
            del registry[key]
