"""Notification jobs for later (RQ's scheduler), under ids that let us find and cancel them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import select, update

from app import db, queues
from app.models import Notification
from app.notifications.records import SENDABLE

QUEUE = "notifications"
JOBS = "jobs.notify"


def _at(when: datetime, func: str, *args, job_id: str, timeout: int = 120, **kwargs) -> Job:
    """Run the job at `when`; scheduling again under the same id moves the one waiting."""
    return queues.queue(QUEUE).enqueue_at(
        when, f"{JOBS}.{func}", args=args, kwargs=kwargs, job_id=job_id, retry=queues.DEFAULT_RETRY,
        job_timeout=timeout, result_ttl=300, failure_ttl=7 * 86400,
    )


def send_job_prefix(shop_id: int, notification_id: int) -> str:
    return f"notify-{shop_id}-send-{notification_id}-"


def backorder_job_id(shop_id: int, case_id: int, sequence: int) -> str:
    return f"notify-{shop_id}-backorder-{case_id}-{sequence}"


def followup_job_id(shop_id: int, case_id: int) -> str:
    return f"notify-{shop_id}-followup-{case_id}"


def send_at(row: Notification) -> Job:
    """Send a held message when its time comes (quiet hours end); the id names the moment, never a running job."""
    job_id = f"{send_job_prefix(row.shop_id, row.id)}{int(row.scheduled_for.timestamp())}"
    return _at(row.scheduled_for, "send_notification", row.shop_id, row.id, job_id=job_id)


def blast_at(when: datetime, shop_id: int, notification_ids: Sequence[int], timeout: int) -> Job:
    """Send a chunk of held blast rows (SMS in quiet hours) in the morning."""
    return _at(when, "send_blast", shop_id, list(notification_ids), timeout=timeout,
               job_id=f"notify-{shop_id}-blast-{notification_ids[0]}-{len(notification_ids)}")


def backorder_update_at(when: datetime, shop_id: int, case_id: int, sequence: int) -> Job:
    return _at(when, "backorder_update", shop_id, case_id, sequence=sequence,
               job_id=backorder_job_id(shop_id, case_id, sequence))


def followup_at(when: datetime, shop_id: int, case_id: int) -> Job:
    return _at(when, "satisfaction_followup", shop_id, case_id, job_id=followup_job_id(shop_id, case_id))


def _remove_scheduled(matches) -> int:
    """Take matching jobs off RQ's schedule so they never run."""
    queue = queues.queue(QUEUE)
    registry = queue.scheduled_job_registry
    removed = 0
    for job_id in registry.get_job_ids():
        if matches(job_id):
            try:
                registry.remove(job_id, delete_job=True)
            except NoSuchJobError:
                registry.remove(job_id)
            removed += 1
    return removed


def cancel_case(shop_id: int, case_id: int, kinds: Iterable[str] | None, reason: str, now: datetime) -> int:
    """Cancel a case's pending messages (of these kinds, or all) and the jobs waiting to send or repeat them."""
    session = db.session()
    query = select(Notification.id).where(
        Notification.shop_id == shop_id, Notification.case_id == case_id, Notification.status.in_(SENDABLE)
    )
    kinds = list(kinds) if kinds is not None else None
    if kinds is not None:
        query = query.where(Notification.kind.in_(kinds))
    ids = list(session.scalars(query))
    _cancel_rows(ids, reason, now)
    prefixes = [send_job_prefix(shop_id, row_id) for row_id in ids]
    if kinds is None or "backorder_update" in kinds:
        prefixes.append(f"notify-{shop_id}-backorder-{case_id}-")
    followup = followup_job_id(shop_id, case_id) if kinds is None or "satisfaction_followup" in kinds else None
    return _remove_scheduled(lambda job_id: job_id == followup or job_id.startswith(tuple(prefixes)))


def cancel_shop(shop_id: int, reason: str, now: datetime) -> int:
    """Cancel everything a shop has pending: its rows and every notification job scheduled for it."""
    ids = list(db.session().scalars(
        select(Notification.id).where(Notification.shop_id == shop_id, Notification.status.in_(SENDABLE))
    ))
    _cancel_rows(ids, reason, now)
    return _remove_scheduled(lambda job_id: job_id.startswith(f"notify-{shop_id}-"))


def _cancel_rows(ids: list[int], reason: str, now: datetime) -> None:
    session = db.session()
    if ids:
        session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.status.in_(SENDABLE))
            .values(status="cancelled", error=reason, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    session.commit()
