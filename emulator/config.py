"""The emulator's settings: development defaults, optionally overridden once from the environment."""
from .schema import default_shared_dir

DEFAULTS = {
    "SHOPIFY_SHARED_DIR": None,
    "API_VERSIONS": ("2026-07", "2026-04"),
    "APP": None,
    "CLOCK": None,
    "BUCKET_MAXIMUM": 2000.0,
    "BUCKET_RESTORE_RATE": 100.0,
    "MAX_QUERY_COST": 1000,
    "ACCESS_TOKEN_TTL": 3600,
    "REFRESH_TOKEN_TTL": 90 * 24 * 3600,
    "ONLINE_TOKEN_TTL": 24 * 3600,
    "WEBHOOK_RETRY_DELAYS": (0.1, 0.5, 1.0),
    "WEBHOOK_TIMEOUT": 5.0,
    "WEBHOOK_CONNECT_TIMEOUT": 1.0,
    "WEBHOOK_WORKERS": 1,
    "WEBHOOK_QUEUE_SIZE": 100_000,
    "WEBHOOK_RECORD_LIMIT": 50_000,
    "SEED_DEMO": False,
}


def from_env(environ) -> dict:
    """Settings named EMULATOR_* (and SHOPIFY_SHARED_DIR) in `environ`, typed, plus the app registration."""
    found = {}
    if environ.get("SHOPIFY_SHARED_DIR"):
        found["SHOPIFY_SHARED_DIR"] = environ["SHOPIFY_SHARED_DIR"]
    for key in ("BUCKET_MAXIMUM", "BUCKET_RESTORE_RATE"):
        if environ.get(f"EMULATOR_{key}"):
            found[key] = float(environ[f"EMULATOR_{key}"])
    for key in ("ACCESS_TOKEN_TTL", "REFRESH_TOKEN_TTL", "WEBHOOK_WORKERS"):
        if environ.get(f"EMULATOR_{key}"):
            found[key] = int(environ[f"EMULATOR_{key}"])
    if environ.get("EMULATOR_SEED_DEMO"):
        found["SEED_DEMO"] = environ["EMULATOR_SEED_DEMO"] not in ("0", "false", "")
    app = _app_from_env(environ)
    if app:
        found["APP"] = app
    return found


def _app_from_env(environ) -> dict:
    """The app registration from EMULATOR_* names, falling back to the app's own SHOPIFY_API_* and APP_URL."""
    names = {"client_id": ("EMULATOR_CLIENT_ID", "SHOPIFY_API_KEY"),
             "client_secret": ("EMULATOR_CLIENT_SECRET", "SHOPIFY_API_SECRET"),
             "previous_secret": ("EMULATOR_PREVIOUS_SECRET", "SHOPIFY_API_SECRET_PREVIOUS"),
             "app_url": ("EMULATOR_APP_URL", "APP_URL"), "scopes": ("EMULATOR_SCOPES", "SHOPIFY_SCOPES"),
             "webhook_api_version": ("EMULATOR_WEBHOOK_API_VERSION", "SHOPIFY_API_VERSION")}
    app = {}
    for key, candidates in names.items():
        value = next((environ[name] for name in candidates if environ.get(name)), None)
        if value:
            app[key] = tuple(s.strip() for s in value.split(",") if s.strip()) if key == "scopes" else value
    return app if app.get("client_id") and app.get("client_secret") else {}


def build(config: dict | None, environ) -> dict:
    """Defaults, then the environment (only when no config is given), then `config`."""
    settings = dict(DEFAULTS)
    if config is None:
        settings.update(from_env(environ))
    else:
        unknown = sorted(set(config) - set(DEFAULTS))
        if unknown:
            raise ValueError(f"unknown emulator settings: {', '.join(unknown)}")
        settings.update(config)
    settings["SHOPIFY_SHARED_DIR"] = settings["SHOPIFY_SHARED_DIR"] or str(default_shared_dir())
    return settings
