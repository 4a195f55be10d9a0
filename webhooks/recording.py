"""Recording a verified delivery: which shop, whether to keep it, and one idempotent insert keyed by event id."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Mapping

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect

from app.db import utcnow
from app.models import Shop, WebhookEvent
from webhooks.statements import Precompiled
from webhooks.topics import RECORDED_AFTER_UNINSTALL, TOPICS

_TRIGGERED_AT = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A Shopify header by its short name, classic (`X-Shopify-Topic`) or next-gen Events (`shopify-topic`)."""
    return headers.get(f"X-Shopify-{name}") or headers.get(f"Shopify-{name}")


@dataclass(frozen=True)
class Envelope:
    """What the headers say about a delivery."""

    topic: str
    shop_domain: str
    event_id: str | None
    webhook_id: str | None
    api_version: str | None
    triggered_at: datetime | None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> "Envelope":
        return cls(
            topic=(header(headers, "Topic") or "").strip(),
            shop_domain=(header(headers, "Shop-Domain") or "").strip().lower(),
            event_id=(header(headers, "Event-Id") or "").strip() or None,
            webhook_id=(header(headers, "Webhook-Id") or "").strip() or None,
            api_version=(header(headers, "API-Version") or "").strip() or None,
            triggered_at=parse_triggered_at(header(headers, "Triggered-At")),
        )


def parse_triggered_at(value: str | None) -> datetime | None:
    """X-Shopify-Triggered-At as an aware UTC datetime (nanoseconds cut to micro); None when absent or garbled."""
    match = _TRIGGERED_AT.match((value or "").strip())
    if not match:
        return None
    seconds, fraction, offset = match.groups()
    text = seconds + (f".{fraction[:6]:0<6}" if fraction else "") + ("+00:00" if offset in (None, "Z") else offset)
    try:
        return datetime.fromisoformat(text).astimezone(timezone.utc)
    except ValueError:
        return None


@dataclass(frozen=True)
class Admission:
    """What to do with a verified delivery: drop it, or record it with this status and reason."""

    status: str  # "dropped" | "ignored" | "rejected" | "pending"
    reason: str | None = None


def admit(topic: str, installed: bool | None, has_event_key: bool, table: Mapping[str, str] = TOPICS) -> Admission:
    """Decide a delivery's fate from its topic and its shop (None: no such shop), before anything is written."""
    if installed is None:
        return Admission("dropped", "no such shop")
    if not installed and topic not in RECORDED_AFTER_UNINSTALL:
        return Admission("dropped", "shop is not installed")
    if topic not in table:
        return Admission("ignored", f"no handler for topic {topic[:64]!r}")
    if not has_event_key:
        return Admission("rejected", "no X-Shopify-Event-Id or X-Shopify-Webhook-Id header")
    return Admission("pending")


def event_key(envelope: Envelope, body: bytes) -> str:
    """The deduplication key: the event id, else the webhook id, else a digest of topic and body."""
    key = envelope.event_id or (f"webhook:{envelope.webhook_id}" if envelope.webhook_id else None)
    if key is None:
        key = "body:" + hashlib.sha256(envelope.topic.encode() + b"\n" + body).hexdigest()
    return key if len(key) <= 255 else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Recorded:
    """The outcome of one delivery at the intake."""

    status: str  # an Admission status, or "duplicate"
    shop_id: int | None
    event_id: str | None
    reason: str | None = None


_EVENT_COLUMNS = ("event_id", "webhook_id", "topic", "api_version", "triggered_at", "received_at", "status",
                  "attempts", "error", "raw_body", "processed_at")


def record_delivery(connection: Connection, envelope: Envelope, body: bytes) -> Recorded:
    """Insert the event unless its key is already recorded (or drop it); durable once the caller commits.

    The common case, a known topic for an installed shop, is one INSERT … SELECT from the shop row. Anything
    else (a duplicate, an uninstalled or unknown shop, an unknown topic) looks the shop up and decides.
    """
    has_key = bool(envelope.event_id or envelope.webhook_id)
    key = event_key(envelope, body)
    if envelope.topic in TOPICS and has_key:
        values = _event_values(envelope, body, key, Admission("pending"))
        row = _insert_for_installed_shop(connection.dialect).execute(
            connection, {"shop_domain": envelope.shop_domain, **values}).first()
        if row is not None:
            return Recorded("pending", row.shop_id, key)
    shop = connection.execute(
        select(Shop.id, Shop.installed_at, Shop.uninstalled_at).where(Shop.domain == envelope.shop_domain)
    ).first()
    installed = None if shop is None else shop.installed_at is not None and shop.uninstalled_at is None
    admission = admit(envelope.topic, installed, has_key)
    if admission.status == "dropped":
        return Recorded("dropped", None, None, admission.reason)
    inserted = connection.execute(
        _insert(connection.dialect.name).values(shop_id=shop.id, **_event_values(envelope, body, key, admission))
        .on_conflict_do_nothing(index_elements=["event_id"]).returning(WebhookEvent.id)
    ).first()
    return Recorded(admission.status if inserted else "duplicate", shop.id, key, admission.reason)


def _event_values(envelope: Envelope, body: bytes, key: str, admission: Admission) -> dict:
    now = utcnow()
    return dict(
        event_id=key,
        webhook_id=(envelope.webhook_id or "")[:255] or None,
        topic=envelope.topic[:64],
        api_version=(envelope.api_version or "")[:16] or None,
        triggered_at=envelope.triggered_at,
        received_at=now,
        status=admission.status,
        attempts=0,
        error=admission.reason,
        raw_body=body,
        processed_at=None if admission.status == "pending" else now,
    )


def _insert(dialect_name: str):
    return (postgresql if dialect_name == "postgresql" else sqlite).insert(WebhookEvent.__table__)


_PRECOMPILED: dict[tuple[str, str], Precompiled] = {}


def _insert_for_installed_shop(dialect: Dialect) -> Precompiled:
    """INSERT INTO webhook_events SELECT <the event>, shops.id FROM shops WHERE domain = ? AND installed."""
    key = (dialect.name, dialect.driver)
    if key not in _PRECOMPILED:
        events = WebhookEvent.__table__
        chosen = select(Shop.id, *(bindparam(name, type_=events.c[name].type) for name in _EVENT_COLUMNS)).where(
            Shop.domain == bindparam("shop_domain"), Shop.installed_at.is_not(None), Shop.uninstalled_at.is_(None))
        statement = (_insert(dialect.name).from_select(["shop_id", *_EVENT_COLUMNS], chosen)
                     .on_conflict_do_nothing(index_elements=["event_id"]).returning(events.c.id, events.c.shop_id))
        _PRECOMPILED[key] = Precompiled(statement, dialect)
    return _PRECOMPILED[key]
