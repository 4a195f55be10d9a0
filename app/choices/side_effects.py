"""Keyed actions on the outside world (refund, coupon, order edit, tag): each done at most once, result recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Callable

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from app import db
from app.models import SideEffect

# A claim older than this belonged to a worker that died mid-call; the next attempt may take it over.
LEASE = timedelta(minutes=5)


class SideEffectBusy(Exception):
    """Another worker holds this side effect right now; retry later."""


def find(key: str) -> SideEffect | None:
    """The side effect recorded under this key, if any."""
    return db.session().scalars(select(SideEffect).where(SideEffect.idempotency_key == key)).first()


def _ensure(shop_id: int, case_id: int | None, kind: str, key: str, request: dict) -> SideEffect:
    session = db.session()
    existing = find(key)
    if existing is not None:
        return existing
    row = SideEffect(shop_id=shop_id, case_id=case_id, kind=kind, idempotency_key=key, request=request)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return find(key)
    return row


def _claim(row: SideEffect) -> bool:
    session = db.session()
    now = db.utcnow()
    result = session.execute(
        update(SideEffect)
        .where(SideEffect.id == row.id, SideEffect.status != "done")
        .where(or_(SideEffect.status != "running", SideEffect.updated_at < now - LEASE))
        .values(status="running", attempts=SideEffect.attempts + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


def perform(
    shop_id: int, case_id: int | None, kind: str, key: str, request: dict, action: Callable[[SideEffect], dict]
) -> dict:
    """Run `action` unless this key is already done; the pending row is committed before the outside call."""
    row = _ensure(shop_id, case_id, kind, key, request)
    if row.status == "done":
        return row.result or {}
    if not _claim(row):
        db.session().refresh(row)
        if row.status == "done":
            return row.result or {}
        raise SideEffectBusy(f"{key} is being carried out by another worker")
    session = db.session()
    session.refresh(row)
    try:
        result = action(row)
    except Exception as exc:
        session.rollback()
        session.execute(
            update(SideEffect).where(SideEffect.id == row.id).values(status="failed", error=f"{type(exc).__name__}: {exc}")
        )
        session.commit()
        raise
    row.status, row.result, row.error = "done", result, None
    session.commit()
    return result
