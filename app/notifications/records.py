"""Notification rows: created at most once per key, claimed with a conditional update, settled with the outcome."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import any_, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement

from app.channels.base import SentReceipt
from app.models import Notification

SENDABLE = ("queued", "scheduled")
# Rows that reached (or may have reached) the customer: what the daily cap counts.
DELIVERED = ("sent", "sending", "unconfirmed")
# The longest a message waits between being stored and being sent, bounding the daily cap's look back.
CREATED_BEFORE_SENT = timedelta(days=7)
# One first try and RQ's five retries; after that a transient failure is recorded as final.
MAX_ATTEMPTS = 6


@dataclass(slots=True)
class Pending:
    """A notification as sending reads it: plain values, so a blast's thousands carry no ORM bookkeeping."""

    id: int
    shop_id: int
    case_id: int | None
    subscription_id: int | None
    channel: str
    recipient: str
    kind: str
    locale: str
    idempotency_key: str
    status: str
    attempts: int
    scheduled_for: datetime | None
    subject: str | None
    body: str | None
    html: str | None


def among(session: Session, column, values: Iterable) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL one array parameter, as a blast's batches name hundreds of rows and
    hundreds of separate parameters cost more to render and parse than the query itself."""
    values = list(values)
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=postgresql.ARRAY(column.type)))
    return column.in_(values)


_PENDING = [field.name for field in fields(Pending)]
_TABLE = Notification.__table__


def pending(row: Notification | Pending) -> Pending:
    return row if isinstance(row, Pending) else Pending(*(getattr(row, name) for name in _PENDING))


def load_pending(session: Session, shop_id: int, ids: Sequence[int]) -> list[Pending]:
    """The shop's sendable rows among these ids, in id order, read without the ORM."""
    rows = session.execute(
        select(*(_TABLE.c[name] for name in _PENDING))
        .where(_TABLE.c.shop_id == shop_id, among(session, _TABLE.c.id, ids), _TABLE.c.status.in_(SENDABLE))
        .order_by(_TABLE.c.id)
    )
    return [Pending(*row) for row in rows]


def insert_or_ignore(session: Session, rows: Sequence[dict]) -> None:
    """Insert rows whose idempotency key is new; a key already present keeps its row untouched."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    # The table, not the mapped class: a plain executemany, without the ORM's per-row bulk bookkeeping.
    statement = dialect.insert(_TABLE).on_conflict_do_nothing(index_elements=["idempotency_key"])
    session.execute(statement, list(rows))


def by_keys(session: Session, keys: Iterable[str]) -> dict[str, Notification]:
    keys = list(keys)
    if not keys:
        return {}
    rows = session.scalars(select(Notification).where(among(session, Notification.idempotency_key, keys)))
    return {row.idempotency_key: row for row in rows}


def ensure(session: Session, rows: Sequence[dict]) -> list[Notification]:
    """The rows for these keys, creating the missing ones; a retried job finds the rows it made before."""
    insert_or_ignore(session, rows)
    session.commit()
    found = by_keys(session, [row["idempotency_key"] for row in rows])
    return [found[row["idempotency_key"]] for row in rows]


def claim(session: Session, rows: Sequence[Notification | Pending], now: datetime) -> list[Notification | Pending]:
    """Move sendable rows to `sending` and commit; only the rows returned may be sent, by this caller alone."""
    if not rows:
        return []
    claimed = set(session.scalars(
        update(Notification)
        .where(among(session, Notification.id, [row.id for row in rows]), Notification.status.in_(SENDABLE))
        .values(status="sending", attempts=Notification.attempts + 1, updated_at=now)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    ).all())
    session.commit()
    mine = [row for row in rows if row.id in claimed]
    for row in mine:
        _set(row, "attempts", (row.attempts or 0) + 1)
        _set(row, "status", "sending")
    return mine


def _set(row: Notification | Pending, name: str, value) -> None:
    """What the database now holds, without marking a mapped row as changed."""
    if isinstance(row, Pending):
        setattr(row, name, value)
    else:
        set_committed_value(row, name, value)


def settle(session: Session, ids: Sequence[int], status: str, reason: str | None, now: datetime) -> None:
    """Give sendable rows a final status without sending (suppressed, skipped, cancelled)."""
    if ids:
        session.execute(
            update(Notification)
            .where(among(session, Notification.id, ids), Notification.status.in_(SENDABLE))
            .values(status=status, error=reason, updated_at=now)
            .execution_options(synchronize_session=False)
        )


# One statement for every receipt of a batch, compiled once: a blast records hundreds at a time.
_MARK_SENT = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("row_id"))
    .values(status="sent", provider=bindparam("provider"), provider_id=bindparam("provider_id"),
            sent_at=bindparam("now"), updated_at=bindparam("now"), error=None)
)


def mark_sent(session: Session, sent: Sequence[tuple[int, SentReceipt]], now: datetime) -> None:
    if sent:
        session.execute(_MARK_SENT, [
            {"row_id": row_id, "provider": receipt.provider, "provider_id": receipt.provider_id, "now": now}
            for row_id, receipt in sent
        ])


def mark_failed(session: Session, failed: Sequence[tuple[int, str]], now: datetime) -> None:
    if failed:
        session.execute(
            update(Notification).execution_options(synchronize_session=False),
            [{"id": row_id, "status": "failed", "error": reason, "updated_at": now} for row_id, reason in failed],
        )


def release(session: Session, rows: Sequence[tuple[Notification | Pending, str]], now: datetime) -> list[int]:
    """Put rows that failed for a passing reason back in the queue; the ones out of attempts fail. Returns requeued."""
    requeued, exhausted = [], []
    for row, reason in rows:
        if row.attempts >= MAX_ATTEMPTS:
            exhausted.append((row.id, f"gave up after {row.attempts} attempts: {reason}"))
        else:
            requeued.append({"id": row.id, "status": "queued", "error": reason, "updated_at": now})
    if requeued:
        session.execute(update(Notification).execution_options(synchronize_session=False), requeued)
    mark_failed(session, exhausted, now)
    return [values["id"] for values in requeued]


def delivered_last_day(session: Session, shop_id: int, recipients: Iterable[str], now: datetime) -> dict[str, int]:
    """How many messages each recipient had from this shop in the last 24 hours.

    Asked through the (shop, recipient, created) index alone, statuses counted here: in the middle of a blast the
    planner's statistics still say no row is `sent`, and a status condition lures it onto the status index, which
    then reads every row the blast already sent for each batch. A message sent in the last day was created in the
    last week (held ones wait hours, retries minutes).
    """
    recipients = list(set(recipients))
    if not recipients:
        return {}
    since = now - timedelta(days=1)
    rows = session.execute(
        select(Notification.recipient, Notification.status, Notification.sent_at, Notification.updated_at)
        .where(Notification.shop_id == shop_id, among(session, Notification.recipient, recipients))
        .where(Notification.created_at >= now - CREATED_BEFORE_SENT)
    )
    counts: dict[str, int] = {}
    for recipient, status, sent_at, updated_at in rows:
        if status in DELIVERED and (sent_at or updated_at) >= since:
            counts[recipient] = counts.get(recipient, 0) + 1
    return counts


def mark_unconfirmed(session: Session, older_than: datetime, now: datetime) -> int:
    """Rows left `sending` by a worker that died mid-send: never resent, since the provider may have them."""
    result = session.execute(
        update(Notification)
        .where(Notification.status == "sending", Notification.updated_at < older_than)
        .values(
            status="unconfirmed",
            error="the worker stopped while sending; the provider may have accepted it, so it is not sent again",
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount
