"""Recording a verified delivery: which shop, whether to keep it, and one idempotent insert keyed by event id."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Mapping

from sqlalchemy import String, bindparam, column, select, values
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect

from app.db import utcnow
from app.models import Shop, WebhookEvent
from webhooks.statements import Precompiled
from webhooks.topics import RECORDED_AFTER_UNINSTALL, TOPICS

_TRIGGERED_AT = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$")


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A Shopify header by its short name, classic (`X-Shopify-Topic`) or next-gen Events (`shopify-topic`)."""
    value = headers.get(f"X-Shopify-{name}") or headers.get(f"Shopify-{name}")
    # Headers are not signed and PostgreSQL text cannot hold NUL: a forged one must not fail a whole insert.
    return value.replace("\x00", "") if value else value


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
    """Insert one event unless its key is already recorded (or drop it); durable once the caller commits."""
    return record_deliveries(connection, [(envelope, body)])[0]


def record_deliveries(connection: Connection, deliveries: list[tuple[Envelope, bytes]]) -> list[Recorded]:
    """Record several deliveries; the outcomes in the same order.

    The common case, a known topic for an installed shop, goes in one INSERT … SELECT joined to the shop rows
    (several rows per statement on PostgreSQL). Whatever that did not insert (a duplicate, an uninstalled or
    unknown shop, an unknown topic, no event id) is then looked at one by one.
    """
    outcomes: list[Recorded | None] = [None] * len(deliveries)
    common = [i for i, (envelope, _) in enumerate(deliveries)
              if envelope.topic in TOPICS and (envelope.event_id or envelope.webhook_id)]
    rows = ROWS_PER_STATEMENT if connection.dialect.name == "postgresql" else 1
    for start in range(0, len(common), rows):
        chunk = common[start:start + rows]
        for i, outcome in zip(chunk, _insert_for_installed(connection, [deliveries[i] for i in chunk])):
            outcomes[i] = outcome
    return [outcome or _record_one_by_one(connection, *deliveries[i]) for i, outcome in enumerate(outcomes)]


def _insert_for_installed(connection: Connection, deliveries: list[tuple[Envelope, bytes]]) -> list[Recorded | None]:
    """One statement for all: a pending record for each delivery it inserted, None for the others."""
    keys = [event_key(envelope, body) for envelope, body in deliveries]
    params = {}
    for n, ((envelope, body), key) in enumerate(zip(deliveries, keys)):
        values = {"shop_domain": envelope.shop_domain, **_event_values(envelope, body, key, Admission("pending"))}
        params.update({f"{name}_{n}": value for name, value in values.items()})
    inserted = dict(_insert_for_installed_shops(connection.dialect, len(deliveries)).execute(connection, params).all())
    # Two deliveries of one event in one statement: the first is the record, the next goes on as a duplicate.
    return [Recorded("pending", inserted.pop(key), key) if key in inserted else None for key in keys]


def _record_one_by_one(connection: Connection, envelope: Envelope, body: bytes) -> Recorded:
    shop = connection.execute(
        select(Shop.id, Shop.installed_at, Shop.uninstalled_at).where(Shop.domain == envelope.shop_domain)
    ).first()
    installed = None if shop is None else shop.installed_at is not None and shop.uninstalled_at is None
    admission = admit(envelope.topic, installed, bool(envelope.event_id or envelope.webhook_id))
    if admission.status == "dropped":
        return Recorded("dropped", None, None, admission.reason)
    key = event_key(envelope, body)
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


ROWS_PER_STATEMENT = 16
_PRECOMPILED: dict[tuple[str, str, int], Precompiled] = {}


def _insert_for_installed_shops(dialect: Dialect, rows: int) -> Precompiled:
    """INSERT INTO webhook_events SELECT <each event>, shops.id FROM <the events> JOIN shops … WHERE installed.

    RETURNING the event ids inserted, with their shop ids. One row is a plain SELECT of parameters (any
    database); several rows are a VALUES list joined to the shops (PostgreSQL).
    """
    cache_key = (dialect.name, dialect.driver, rows)
    if cache_key not in _PRECOMPILED:
        events = WebhookEvent.__table__
        columns = [column("shop_domain", String)] + [column(name, events.c[name].type) for name in _EVENT_COLUMNS]
        if rows == 1:
            given = select(*(bindparam(f"{c.name}_0", type_=c.type).label(c.name) for c in columns)).subquery("v")
        else:
            given = values(*columns, name="v").data(
                [tuple(bindparam(f"{c.name}_{n}", type_=c.type) for c in columns) for n in range(rows)])
        chosen = (select(Shop.id, *(given.c[name] for name in _EVENT_COLUMNS))
                  .select_from(given.join(Shop, Shop.domain == given.c.shop_domain))
                  .where(Shop.installed_at.is_not(None), Shop.uninstalled_at.is_(None)))
        statement = (_insert(dialect.name).from_select(["shop_id", *_EVENT_COLUMNS], chosen)
                     .on_conflict_do_nothing(index_elements=["event_id"])
                     .returning(events.c.event_id, events.c.shop_id))
        _PRECOMPILED[cache_key] = Precompiled(statement, dialect)
    return _PRECOMPILED[cache_key]
