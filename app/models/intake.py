"""Webhook deliveries, recorded before they are acknowledged."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class WebhookEvent(Base):
    """One Shopify event, keyed by its event id so a duplicate delivery is a no-op."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        UniqueConstraint("event_id"),
        Index("ix_webhook_events_status_received", "status", "received_at"),
        Index("ix_webhook_events_shop_status", "shop_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(ForeignKey("shops.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(255))
    webhook_id: Mapped[str | None] = mapped_column(String(255), index=True)
    topic: Mapped[str] = mapped_column(String(64))
    api_version: Mapped[str | None] = mapped_column(String(16))
    triggered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    raw_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
