"""Messages to customers, their opt-outs, and back-in-stock sign-ups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.models.base import ShopOwned, Timestamps


class Notification(Timestamps, ShopOwned, Base):
    """One message on one channel; its idempotency key makes it go out at most once."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("idempotency_key"),
        Index("ix_notifications_shop_status", "shop_id", "status", "scheduled_for"),
        Index("ix_notifications_shop_recipient", "shop_id", "recipient", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("stockout_cases.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("back_in_stock_subscriptions.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(320))
    kind: Mapped[str] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    provider: Mapped[str | None] = mapped_column(String(32))
    provider_id: Mapped[str | None] = mapped_column(String(255))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    html: Mapped[str | None] = mapped_column(Text)


class ContactOptOut(ShopOwned, Base):
    """A customer asked not to hear from this shop on a channel (STOP, unsubscribe link)."""

    __tablename__ = "contact_opt_outs"
    __table_args__ = (UniqueConstraint("shop_id", "channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
    address: Mapped[str] = mapped_column(String(320))
    source: Mapped[str] = mapped_column(String(32))
    opted_out_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BackInStockSubscription(Timestamps, ShopOwned, Base):
    """A storefront "notify me" sign-up, served first-come first-served."""

    __tablename__ = "back_in_stock_subscriptions"
    __table_args__ = (
        UniqueConstraint("shop_id", "variant_gid", "email"),
        Index("ix_bis_shop_variant_status", "shop_id", "variant_gid", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_gid: Mapped[str] = mapped_column(String(255))
    product_gid: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    customer_gid: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_source: Mapped[str] = mapped_column(String(64), default="storefront")
    consent_ip: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    status_reason: Mapped[str | None] = mapped_column(Text)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RestockAlert(Timestamps, ShopOwned, Base):
    """The back-in-stock alerts for one variant: which wave of batches is running, and how it ended."""

    __tablename__ = "restock_alerts"
    __table_args__ = (UniqueConstraint("shop_id", "variant_gid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_gid: Mapped[str] = mapped_column(String(255))
    product_gid: Mapped[str | None] = mapped_column(String(255))
    wave: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="idle")
    batch_number: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(Text)
