"""Notification rows: created at most once per key, claimed with a conditional update, settled with the outcome."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.channels.base import SentReceipt
from app.models import Notification

SENDABLE = ("queued", "scheduled")
# Rows that reached (or may have reached) the customer: what the daily cap counts.
DELIVERED = ("sent", "sending", "unconfirmed")
# One first try and RQ's five retries; after that a transient failure is recorded as final.
MAX_ATTEMPTS = 6


def insert_or_ignore(session: Session, rows: Sequence[dict]) -> None:
    """Insert rows whose idempotency key is new; a key already present keeps its row untouched."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Notification).on_conflict_do_nothing(index_elements=["idempotency_key"])
    session.execute(statement, list(rows))


def by_keys(session: Session, keys: Iterable[str]) -> dict[str, Notification]:
    keys = list(keys)
    if not keys:
        return {}
    rows = session.scalars(select(Notification).where(Notification.idempotency_key.in_(keys)))
    return {row.idempotency_key: row for row in rows}


def ensure(session: Session, rows: Sequence[dict]) -> list[Notification]:
    """The rows for these keys, creating the missing ones; a retried job finds the rows it made before."""
    insert_or_ignore(session, rows)
    session.commit()
    found = by_keys(session, [row["idempotency_key"] for row in rows])
    return [found[row["idempotency_key"]] for row in rows]


def claim(session: Session, rows: Sequence[Notification], now: datetime) -> list[Notification]:
    """Move sendable rows to `sending` and commit; only the rows returned may be sent, by this caller alone."""
    if not rows:
        return []
    claimed = set(session.scalars(
        update(Notification)
        .where(Notification.id.in_([row.id for row in rows]), Notification.status.in_(SENDABLE))
        .values(status="sending", attempts=Notification.attempts + 1, updated_at=now)
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    ).all())
    session.commit()
    mine = [row for row in rows if row.id in claimed]
    for row in mine:
        set_committed_value(row, "status", "sending")
        set_committed_value(row, "attempts", (row.attempts or 0) + 1)
    return mine


def settle(session: Session, ids: Sequence[int], status: str, reason: str | None, now: datetime) -> None:
    """Give sendable rows a final status without sending (suppressed, skipped, cancelled)."""
    if ids:
        session.execute(
            update(Notification)
            .where(Notification.id.in_(list(ids)), Notification.status.in_(SENDABLE))
            .values(status=status, error=reason, updated_at=now)
            .execution_options(synchronize_session=False)
        )


_TABLE = Notification.__table__
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


def release(session: Session, rows: Sequence[tuple[Notification, str]], now: datetime) -> list[int]:
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
    """How many messages each recipient had from this shop in the last 24 hours."""
    recipients = list(set(recipients))
    if not recipients:
        return {}
    moment = func.coalesce(Notification.sent_at, Notification.updated_at)
    rows = session.execute(
        select(Notification.recipient, func.count())
        .where(Notification.shop_id == shop_id, Notification.recipient.in_(recipients))
        .where(Notification.status.in_(DELIVERED), moment >= now - timedelta(days=1))
        .group_by(Notification.recipient)
    )
    return {recipient: count for recipient, count in rows}


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
