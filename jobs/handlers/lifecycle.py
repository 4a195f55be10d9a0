"""app/uninstalled: stop all work for the shop and forget its tokens; its data waits for shop/redact."""

from __future__ import annotations

import logging
from functools import partial

from rq.job import Job
from sqlalchemy import update

from app import db, queues
from app.models import Notification, Shop
from app.notifications.records import SENDABLE
from app.shopify import tokens
from jobs.handling import Delivery

log = logging.getLogger("jobs")

# Webhook jobs are left alone: a pending compliance request must still be answered after uninstall.
CANCELLABLE_QUEUES = tuple(name for name in queues.QUEUE_NAMES if name != "webhooks")


def on_app_uninstalled(delivery: Delivery) -> None:
    """Forget the tokens, mark the shop uninstalled, cancel its unsent messages and scheduled jobs."""
    session = db.session()
    shop = session.get(Shop, delivery.shop_id)
    if shop is None:
        return
    if delivery.triggered_at and shop.installed_at and shop.installed_at > delivery.triggered_at:
        log.info("stale app/uninstalled ignored: reinstalled since", extra={"shop_id": shop.id})
        return
    now = db.utcnow()
    tokens.forget(shop)
    shop.uninstalled_at = shop.uninstalled_at or delivery.triggered_at or now
    session.execute(
        update(Notification)
        .where(Notification.shop_id == shop.id, Notification.status.in_(SENDABLE))
        .values(status="cancelled", error="app uninstalled", updated_at=now)
    )
    delivery.after_commit.append(partial(cancel_scheduled_jobs, shop.id))


def cancel_scheduled_jobs(shop_id: int) -> int:
    """Cancel the shop's scheduled and deferred jobs: those enqueued with the keyword `shop_id`."""
    connection = queues.redis()
    cancelled = 0
    for name in CANCELLABLE_QUEUES:
        queue = queues.queue(name, connection)
        for registry in (queue.scheduled_job_registry, queue.deferred_job_registry):
            jobs = Job.fetch_many(registry.get_job_ids(), connection=connection, serializer=queue.serializer)
            for job in jobs:
                if job is not None and (job.kwargs or {}).get("shop_id") == shop_id:
                    job.cancel()
                    cancelled += 1
    return cancelled
