"""Housekeeping: keep only what the app needs of what it recorded."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app import db
from app.models import WebhookEvent


def prune_webhook_bodies(older_than_days: int = 30) -> int:
    """Drop the raw bodies of processed webhook events (they may hold personal data)."""
    cutoff = db.utcnow() - timedelta(days=older_than_days)
    session = db.session()
    result = session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.status.in_(("processed", "rejected", "ignored")))
        .where(WebhookEvent.received_at < cutoff)
        .where(WebhookEvent.raw_body.is_not(None))
        .values(raw_body=None)
    )
    session.commit()
    return result.rowcount
