"""Getting access tokens from Shopify: token exchange, refresh, and the authorization-code grant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import httpx
from shopify_app import refresh_access_token, token_exchange
from shopify_app.types import IdTokenDetails, TokenExchangeAccessToken

from app.config import Settings
from app.shopify import http, scopes
from app.shopify.errors import InstallRefused, InvalidSessionToken, ShopifyUnavailable, TokenRefreshFailed
from app.shopify.http import SHOP_SUFFIX


@dataclass(frozen=True)
class TokenGrant:
    """An offline access token as Shopify granted it; expiring tokens come with a refresh token."""

    access_token: str
    scopes: frozenset[str]
    expires_at: datetime | None
    refresh_token: str | None
    refresh_token_expires_at: datetime | None


def _app_config(settings: Settings) -> dict:
    return {
        "client_id": settings.shopify_api_key,
        "client_secret": settings.shopify_api_secret,
        "old_client_secret": settings.shopify_api_secret_previous or None,
    }


def exchange_session_token(settings: Settings, session_token: str, claims: dict) -> TokenGrant:
    """Trade a verified App Bridge session token for an expiring offline token (shopify_app does the call)."""
    id_token = IdTokenDetails(exchangeable=True, token=session_token, claims=claims)
    with http.make_client(settings) as client:
        result = token_exchange("offline", _app_config(settings), id_token=id_token, expiring=True, http_client=client)
    if not result.ok:
        code = result.log.code
        if code == "invalid_subject_token":
            raise InvalidSessionToken("Shopify refused the session token (invalid_subject_token); fetch a fresh one.")
        if code in ("network_error", "rate_limit_exceeded"):
            raise ShopifyUnavailable(f"token exchange could not reach Shopify ({code})")
        raise InstallRefused(f"Shopify refused the token exchange ({code}).", status=502)
    return _grant_from(result.access_token)


def refresh_grant(settings: Settings, shop: str, refresh_token: str) -> TokenGrant:
    """Trade the refresh token for a new pair; the old refresh token is spent from then on."""
    stored = TokenExchangeAccessToken(
        access_mode="offline",
        shop=shop.removesuffix(SHOP_SUFFIX),
        token="",
        # Left empty on purpose: shopify_app skips the refresh while the token has more than 60 s to
        # live, but we refresh 5 minutes ahead, and only ever after deciding a refresh is due.
        expires="",
        scope="",
        refresh_token=refresh_token,
        refresh_token_expires="",
        user=None,
    )
    with http.make_client(settings) as client:
        result = refresh_access_token(stored, _app_config(settings), http_client=client)
    if not result.ok:
        code = result.log.code
        if code in ("network_error", "server_error"):
            raise ShopifyUnavailable(f"token refresh for {shop} could not reach Shopify ({code})")
        raise TokenRefreshFailed(f"Shopify refused to refresh the token of {shop} ({code}); open the app to reinstall.")
    return _grant_from(result.access_token)


def _grant_from(token: TokenExchangeAccessToken) -> TokenGrant:
    return TokenGrant(
        access_token=token.token,
        scopes=scopes.parse(token.scope),
        expires_at=_parse_time(token.expires),
        refresh_token=token.refresh_token or None,
        refresh_token_expires_at=_parse_time(token.refresh_token_expires),
    )


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)


def authorize_url(settings: Settings, shop: str, state: str) -> str:
    """Where the merchant approves the install (authorization-code grant, offline access)."""
    return http.admin_url(
        settings,
        shop,
        "/admin/oauth/authorize",
        {
            "client_id": settings.shopify_api_key,
            "scope": ",".join(scopes.REQUIRED_SCOPES),
            "redirect_uri": f"{settings.app_url.rstrip('/')}/auth/callback",
            "state": state,
            "grant_options[]": "",
        },
    )


def exchange_code(settings: Settings, shop: str, code: str) -> TokenGrant:
    """Trade an authorization code for an expiring offline token.

    Neither Shopify package serves here: ShopifyAPI's `Session.request_token` has no timeout, cannot ask
    for an expiring token and reads the secret from process-global class state; `shopify_app` has no
    authorization-code grant. So this is a plain POST with our timeout-bound client.
    """
    body = {
        "client_id": settings.shopify_api_key,
        "client_secret": settings.shopify_api_secret,
        "code": code,
        "expiring": "1",
    }
    try:
        with http.make_client(settings) as client:
            response = client.post(f"https://{shop}/admin/oauth/access_token", json=body)
    except httpx.TransportError as exc:
        raise ShopifyUnavailable(f"the code exchange for {shop} could not reach Shopify: {exc}") from None
    if response.status_code >= 500:
        raise ShopifyUnavailable(f"the code exchange for {shop} failed with HTTP {response.status_code}")
    if response.status_code != 200:
        raise InstallRefused(f"Shopify refused the authorization code ({_error_of(response)}); start again.")
    try:
        data = response.json()
    except ValueError:
        raise ShopifyUnavailable(f"the code exchange for {shop} answered something other than JSON") from None
    now = datetime.now(timezone.utc)
    return TokenGrant(
        access_token=data["access_token"],
        scopes=scopes.parse(data.get("scope")),
        expires_at=now + timedelta(seconds=data["expires_in"]) if data.get("expires_in") else None,
        refresh_token=data.get("refresh_token"),
        refresh_token_expires_at=(
            now + timedelta(seconds=data["refresh_token_expires_in"]) if data.get("refresh_token_expires_in") else None
        ),
    )


def _error_of(response: httpx.Response) -> str:
    try:
        return str(response.json().get("error") or response.status_code)
    except ValueError:
        return f"HTTP {response.status_code}"
