"""/emulator control surface: app registration, shops, credentials, throttling, faults, state, reset."""
from flask import Blueprint, jsonify, request

from . import faults, session_tokens, tokens
from .control_helpers import body, install_error_handlers
from .runtime import current
from .seed import DEMO_SHOP, seed_demo

bp = Blueprint("control", __name__, url_prefix="/emulator")
install_error_handlers(bp)


def _app_view(app) -> dict | None:
    if app is None:
        return None
    view = {key: list(value) if isinstance(value, tuple) else value for key, value in vars(app).items()}
    for key in ("client_secret", "previous_secret"):
        view[key] = f"…{view[key][-4:]}" if view[key] else None
    view["webhook_url"] = app.webhook_url
    return view


@bp.get("/health")
def health():
    return jsonify(ok=True, api_versions=list(current().config["API_VERSIONS"]))


@bp.get("/app")
def get_app():
    return jsonify(app=_app_view(current().store.app))


@bp.post("/app")
def register_app():
    """Register or reconfigure the app: client_id, client_secret, previous_secret, app_url, scopes, topics…"""
    return jsonify(app=_app_view(current().register_app(body())))


@bp.post("/reset")
def reset():
    emulator = current()
    emulator.dispatcher.clear()
    emulator.store.reset()
    return jsonify(ok=True)


@bp.post("/seed")
def seed():
    domain = body().get("shop", DEMO_SHOP)
    return jsonify(seed_demo(current().store, domain))


@bp.post("/shops/<shop>/install")
def install(shop: str):
    """Install the app directly (as if token exchange had happened) and hand back an access token."""
    emulator, data = current(), body()
    store = emulator.store
    with store.lock:
        record = store.shop(shop)
        scopes = tuple(data.get("scopes") or (store.app.scopes if store.app else ()))
        expiring = data.get("expiring", True)
        ttl = emulator.config["ACCESS_TOKEN_TTL"] if expiring else None
        access = tokens.issue_access(store, record.domain, scopes, ttl=ttl)
        record.installed, record.granted_scopes = True, scopes
    return jsonify(access_token=access.token, scope=",".join(scopes), expires_in=ttl)


@bp.post("/shops/<shop>/throttle")
def throttle(shop: str):
    data = body()
    record = current().store.shop(shop)
    record.bucket.configure(float(data["maximumAvailable"]), float(data["restoreRate"]),
                            data.get("currentlyAvailable"))
    return jsonify(throttleStatus=record.bucket.status())


@bp.post("/shops/<shop>/faults")
def add_fault(shop: str):
    """Make the next `count` GraphQL calls (or all calls for `seconds`) fail as `kind`."""
    data, store = body(), current().store
    with store.lock:
        fault = faults.add(store.shop(shop), data["kind"], count=data.get("count"), seconds=data.get("seconds"),
                           now=store.clock.timestamp())
    return jsonify(fault=vars(fault))


@bp.delete("/shops/<shop>/faults")
def clear_faults(shop: str):
    store = current().store
    with store.lock:
        store.shop(shop).faults.clear()
    return jsonify(ok=True)


@bp.get("/shops/<shop>/stats")
def shop_stats(shop: str):
    record = current().store.shop(shop)
    return jsonify(shop=record.domain, installed=record.installed, counters=dict(record.counters),
                   throttleStatus=record.bucket.status())


@bp.get("/stats")
def all_stats():
    store = current().store
    with store.lock:
        shops = list(store.shops.values())
    return jsonify(shops={s.domain: dict(s.counters) for s in shops})


@bp.post("/session-token")
def session_token():
    """An App Bridge ID token for `shop`, signed with the registered app's secret."""
    emulator, data = current(), body()
    app = emulator.store.app
    if app is None:
        raise ValueError("register the app first (POST /emulator/app)")
    token = session_tokens.mint(data["shop"], app.client_id, app.client_secret, user_id=data.get("user_id", 1),
                                lifetime=int(data.get("lifetime", 60)), now=emulator.clock.timestamp(),
                                **(data.get("claims") or {}))
    return jsonify(token=token)


@bp.get("/tokens")
def list_tokens():
    """Which access tokens are live for a shop (`?shop=`), for tests of rotation and uninstall."""
    store, shop = current().store, request.args.get("shop")
    with store.lock:
        live = [t for t in store.access_tokens.values() if shop is None or t.shop == shop]
        return jsonify(tokens=[{"token": t.token, "shop": t.shop, "online": t.online,
                                "expires_at": t.expires_at.isoformat() if t.expires_at else None} for t in live])
