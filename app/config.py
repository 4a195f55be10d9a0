"""One typed settings object, read from the environment once in create_app."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

REPO_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = REPO_ROOT / "instance"
DEFAULT_SHARED_DIR = REPO_ROOT.parent / "shared"


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {value!r}")


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment, with development defaults."""

    env: str = "development"
    secret_key: str = ""
    app_url: str = "http://127.0.0.1:8000"
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'stockout.sqlite3'}"
    redis_url: str | None = None
    token_encryption_keys: tuple[str, ...] = ()
    shopify_api_key: str = ""
    shopify_api_secret: str = ""
    shopify_api_secret_previous: str = ""
    shopify_api_version: str = "2026-07"
    shopify_api_base_url: str = ""
    shopify_shared_dir: str = str(DEFAULT_SHARED_DIR)
    http_timeout_seconds: float = 10.0
    webhook_max_body_bytes: int = 4 * 1024 * 1024
    email_backend: str = "outbox"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    email_from_address: str = "notifications@stockout-concierge.local"
    sms_provider: str = "outbox"
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_base_url: str = "https://api.twilio.com"
    sms_rate_per_second: float = 1.0
    notice_settle_seconds: int = 3
    job_monitoring_interval: int = 10
    job_heartbeat_grace: int = 30
    worker_maintenance_interval: int = 30
    log_level: str = "INFO"
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def webhook_secrets(self) -> tuple[str, ...]:
        """The current app secret first, then the previous one during a rotation window."""
        return tuple(s for s in (self.shopify_api_secret, self.shopify_api_secret_previous) if s)

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)


_ENV_NAMES: dict[str, tuple[str, object]] = {
    "env": ("APP_ENV", str),
    "secret_key": ("SECRET_KEY", str),
    "app_url": ("APP_URL", str),
    "database_url": ("DATABASE_URL", str),
    "redis_url": ("REDIS_URL", str),
    "token_encryption_keys": ("TOKEN_ENCRYPTION_KEYS", _csv),
    "shopify_api_key": ("SHOPIFY_API_KEY", str),
    "shopify_api_secret": ("SHOPIFY_API_SECRET", str),
    "shopify_api_secret_previous": ("SHOPIFY_API_SECRET_PREVIOUS", str),
    "shopify_api_version": ("SHOPIFY_API_VERSION", str),
    "shopify_api_base_url": ("SHOPIFY_API_BASE_URL", str),
    "shopify_shared_dir": ("SHOPIFY_SHARED_DIR", str),
    "http_timeout_seconds": ("HTTP_TIMEOUT_SECONDS", float),
    "webhook_max_body_bytes": ("WEBHOOK_MAX_BODY_BYTES", int),
    "email_backend": ("EMAIL_BACKEND", str),
    "smtp_host": ("SMTP_HOST", str),
    "smtp_port": ("SMTP_PORT", int),
    "smtp_username": ("SMTP_USERNAME", str),
    "smtp_password": ("SMTP_PASSWORD", str),
    "smtp_starttls": ("SMTP_STARTTLS", _bool),
    "email_from_address": ("EMAIL_FROM_ADDRESS", str),
    "sms_provider": ("SMS_PROVIDER", str),
    "twilio_account_sid": ("TWILIO_ACCOUNT_SID", str),
    "twilio_auth_token": ("TWILIO_AUTH_TOKEN", str),
    "twilio_from_number": ("TWILIO_FROM_NUMBER", str),
    "twilio_base_url": ("TWILIO_BASE_URL", str),
    "sms_rate_per_second": ("SMS_RATE_PER_SECOND", float),
    "notice_settle_seconds": ("NOTICE_SETTLE_SECONDS", int),
    "job_monitoring_interval": ("JOB_MONITORING_INTERVAL", int),
    "job_heartbeat_grace": ("JOB_HEARTBEAT_GRACE", int),
    "worker_maintenance_interval": ("WORKER_MAINTENANCE_INTERVAL", int),
    "log_level": ("LOG_LEVEL", str),
}


def settings_from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from environment variables; unset ones keep their defaults."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for attr, (name, convert) in _ENV_NAMES.items():
        raw = environ.get(name)
        if raw is None or raw == "":
            continue
        try:
            values[attr] = convert(raw)
        except ValueError as exc:
            raise ConfigError(f"{name} is malformed: {exc}") from None
    return validate(Settings(**values))


def validate(settings: Settings) -> Settings:
    """Refuse settings the app cannot run with, naming the variable at fault."""
    try:
        url = make_url(settings.database_url)
    except (ArgumentError, ValueError):
        raise ConfigError(
            f"DATABASE_URL is malformed: {settings.database_url!r} "
            "(expected e.g. postgresql+psycopg://user@host/db or sqlite:///path)"
        ) from None
    if url.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigError(f"DATABASE_URL must be PostgreSQL or SQLite, not {url.get_backend_name()!r}")
    if settings.redis_url and not settings.redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"REDIS_URL is malformed: {settings.redis_url!r} (expected redis://host:port/db)")
    missing = [
        name
        for attr, name in (
            ("secret_key", "SECRET_KEY"),
            ("shopify_api_key", "SHOPIFY_API_KEY"),
            ("shopify_api_secret", "SHOPIFY_API_SECRET"),
            ("token_encryption_keys", "TOKEN_ENCRYPTION_KEYS"),
        )
        if not getattr(settings, attr)
    ]
    if missing:
        raise ConfigError(f"missing required setting(s): {', '.join(missing)} (see .env.example)")
    if settings.email_backend not in {"smtp", "outbox"}:
        raise ConfigError("EMAIL_BACKEND must be 'smtp' or 'outbox'")
    if settings.webhook_max_body_bytes < 2 * 1024 * 1024:
        raise ConfigError("WEBHOOK_MAX_BODY_BYTES must be at least 2 MiB: real order payloads exceed 1 MB")
    return settings


def normalized_database_url(database_url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common short form."""
    for prefix in ("postgres://", "postgresql://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix):]
    return database_url
