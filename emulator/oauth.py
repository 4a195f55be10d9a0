"""/admin/oauth: authorization-code grant, token exchange and refresh, as Shopify answers them."""
import base64
import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from urllib.parse import urlencode, urlparse

from flask import Blueprint, jsonify, redirect, request

from . import session_tokens, shop_domain, tokens
from .runtime import current

bp = Blueprint("oauth", __name__)
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
OFFLINE = "urn:shopify:params:oauth:token-type:offline-access-token"
ONLINE = "urn:shopify:params:oauth:token-type:online-access-token"
_SCOPE = re.compile(r"^(unauthenticated_)?(read|write)_[a-z_]+$")


class OAuthError(Exception):
    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error, self.description = error, description


def query_hmac(params: dict, secret: str) -> str:
    """Hex HMAC-SHA256 over the sorted `k=v` pairs joined by `&`, `hmac` itself left out."""
    message = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "hmac")
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def admin_host(shop: str) -> str:
    """The `host` parameter: unpadded base64 of admin.shopify.com/store/<handle>."""
    return base64.b64encode(f"admin.shopify.com/store/{shop.split('.')[0]}".encode()).decode().rstrip("=")


@bp.get("/admin/oauth/authorize")
def authorize():
    """A development-store owner approves at once and is sent back to the app with a one-time code."""
    emulator = current()
    app, store = emulator.store.app, emulator.store
    domain = shop_domain.from_request(request)
    if app is None or request.args.get("client_id") != app.client_id:
        return "Oauth error invalid_request: The client_id is not recognized", 400
    if domain is None:
        return "Oauth error invalid_request: Missing or invalid shop", 400
    redirect_uri = request.args.get("redirect_uri", "")
    if not _redirect_allowed(app, redirect_uri):
        return "Oauth error invalid_request: The redirect_uri is not whitelisted", 400
    requested = [s.strip() for s in (request.args.get("scope") or ",".join(app.scopes)).split(",") if s.strip()]
    bad = [s for s in requested if not _SCOPE.match(s)]
    if bad:
        return f"Oauth error invalid_scope: {', '.join(bad)}", 400
    online = "per-user" in request.args.getlist("grant_options[]")
    with store.lock:
        shop = store.shop(domain)
        code = tokens.AuthCode(secrets.token_hex(16), shop.domain, tuple(requested),
                               store.now() + timedelta(minutes=10), online, user_id=shop.id + 1)
        store.auth_codes[code.code] = code
    params = {"code": code.code, "host": admin_host(shop.domain), "shop": shop.domain,
              "state": request.args.get("state", ""), "timestamp": str(int(store.clock.timestamp()))}
    params["hmac"] = query_hmac(params, app.client_secret)
    separator = "&" if urlparse(redirect_uri).query else "?"
    return redirect(redirect_uri + separator + urlencode(params), code=302)


def _redirect_allowed(app, uri: str) -> bool:
    target = urlparse(uri)
    if target.scheme not in ("http", "https") or not target.netloc:
        return False
    if app.redirect_urls:
        return uri.split("?")[0] in app.redirect_urls
    if app.app_url:
        return urlparse(app.app_url).netloc == target.netloc
    return True


@bp.post("/admin/oauth/access_token")
def access_token():
    emulator = current()
    data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    data = data if isinstance(data, dict) else {}
    domain = shop_domain.from_request(request)
    try:
        if domain is None:
            raise OAuthError("invalid_request", "Missing or invalid shop domain")
        with emulator.store.lock:
            answer = _grant(emulator, emulator.store.shop(domain), data)
    except OAuthError as error:
        return jsonify(error=error.error, error_description=error.description), 400
    emulator.deliver_pending()
    return jsonify(answer)


def _grant(emulator, shop, data: dict) -> dict:
    app = emulator.store.app
    if app is None or data.get("client_id") != app.client_id:
        raise OAuthError("invalid_client", "Client authentication failed: unknown client_id.")
    if not any(hmac.compare_digest(str(data.get("client_secret", "")), s) for s in app.secrets):
        raise OAuthError("invalid_client", "Client authentication failed: invalid client_secret.")
    grant = data.get("grant_type") or "authorization_code"
    handlers = {"authorization_code": _code_grant, TOKEN_EXCHANGE: _token_exchange, "refresh_token": _refresh}
    if grant not in handlers:
        raise OAuthError("unsupported_grant_type", f"The grant type {grant} is not supported.")
    return handlers[grant](emulator, shop, data)


def _expiring(data: dict) -> bool:
    return str(data.get("expiring", "0")) in ("1", "true", "True")


def _code_grant(emulator, shop, data: dict) -> dict:
    store = emulator.store
    code = store.auth_codes.pop(str(data.get("code", "")), None)
    if code is None or code.shop != shop.domain or code.expires_at <= store.now():
        raise OAuthError("invalid_request", "The authorization code was not found or was already used")
    shop.counters["code_grants"] += 1
    return _issue(emulator, shop, code.scopes, online=code.online, expiring=_expiring(data), user_id=code.user_id)


def _token_exchange(emulator, shop, data: dict) -> dict:
    store, app = emulator.store, emulator.store.app
    subject_type = data.get("subject_token_type")
    if subject_type == OFFLINE:
        return _migrate(emulator, shop, data)
    if subject_type != ID_TOKEN:
        raise OAuthError("invalid_subject_token_type", f"The subject token type {subject_type} is not supported.")
    wanted = data.get("requested_token_type") or OFFLINE
    if wanted not in (OFFLINE, ONLINE):
        raise OAuthError("invalid_request", f"The requested token type {wanted} is not supported.")
    try:
        claims = session_tokens.verify(str(data.get("subject_token", "")), shop=shop.domain,
                                       client_id=app.client_id, keys=app.secrets, now=store.clock.timestamp())
    except session_tokens.InvalidSessionToken:
        shop.counters["token_exchange_rejected"] += 1
        raise OAuthError("invalid_subject_token",
                         "Token exchange cannot be performed due to an invalid subject token.") from None
    shop.counters["token_exchanges"] += 1
    return _issue(emulator, shop, app.scopes, online=wanted == ONLINE, expiring=_expiring(data),
                  user_id=int(claims["sub"]) if str(claims["sub"]).isdigit() else None)


def _migrate(emulator, shop, data: dict) -> dict:
    """Swap a non-expiring offline token for an expiring one; the old token stops working."""
    store = emulator.store
    old = tokens.valid_access(store, data.get("subject_token"), shop.domain)
    if old is None or old.online or old.expires_at is not None:
        raise OAuthError("invalid_subject_token",
                         "Token exchange cannot be performed due to an invalid subject token.")
    del store.access_tokens[old.token]
    shop.counters["migrations"] += 1
    return _issue(emulator, shop, old.scopes, online=False, expiring=True)


def _refresh(emulator, shop, data: dict) -> dict:
    """A new access and refresh token; the previous refresh token dies when this new one is first used."""
    store = emulator.store
    current_token = store.refresh_tokens.get(str(data.get("refresh_token", "")))
    if (current_token is None or current_token.revoked or current_token.shop != shop.domain
            or current_token.expires_at <= store.now()):
        shop.counters["refresh_rejected"] += 1
        raise OAuthError("invalid_grant", "The refresh token is invalid, expired, or revoked.")
    if current_token.parent and current_token.parent in store.refresh_tokens:
        store.refresh_tokens[current_token.parent].revoked = True
    shop.counters["refreshes"] += 1
    return _issue(emulator, shop, current_token.scopes, online=False, expiring=True, parent=current_token.token)


def _issue(emulator, shop, scopes, *, online: bool, expiring: bool, user_id: int | None = None,
           parent: str | None = None) -> dict:
    config, store = emulator.config, emulator.store
    shop.installed, shop.granted_scopes = True, tuple(scopes)
    if online:
        access = tokens.issue_access(store, shop.domain, scopes, ttl=config["ONLINE_TOKEN_TTL"], online=True,
                                     user_id=user_id)
        return {"access_token": access.token, "scope": ",".join(scopes), "expires_in": config["ONLINE_TOKEN_TTL"],
                "associated_user_scope": ",".join(scopes), "associated_user": _user(shop, user_id)}
    if not expiring:
        access = tokens.issue_access(store, shop.domain, scopes, ttl=None)
        return {"access_token": access.token, "scope": ",".join(scopes)}
    access = tokens.issue_access(store, shop.domain, scopes, ttl=config["ACCESS_TOKEN_TTL"])
    refresh = tokens.issue_refresh(store, shop.domain, scopes, ttl=config["REFRESH_TOKEN_TTL"], parent=parent)
    return {"access_token": access.token, "scope": ",".join(scopes), "expires_in": config["ACCESS_TOKEN_TTL"],
            "refresh_token": refresh.token, "refresh_token_expires_in": config["REFRESH_TOKEN_TTL"]}


def _user(shop, user_id: int | None) -> dict:
    return {"id": user_id, "first_name": "Store", "last_name": "Owner", "email": shop.email,
            "email_verified": True, "account_owner": True, "locale": "en", "collaborator": False}
