"""Shops, their settings, compensation rules and edited message templates."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime
from app.models.base import ShopOwned, Timestamps


class Shop(Timestamps, Base):
    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    access_token_encrypted: Mapped[str | None] = mapped_column(Text)
    access_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refresh_token_encrypted: Mapped[str | None] = mapped_column(Text)
    refresh_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scopes: Mapped[str] = mapped_column(Text, default="")
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    online_store_publication_id: Mapped[str | None] = mapped_column(String(255))
    locations: Mapped[list | None] = mapped_column(JSON)
    orders_reconciled_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    inventory_reconciled_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    settings: Mapped["ShopSettings"] = relationship(back_populates="shop", uselist=False)

    @property
    def is_installed(self) -> bool:
        return self.installed_at is not None and self.uninstalled_at is None


class ShopSettings(Timestamps, ShopOwned, Base):
    """The merchant's choices; defaults are the product's recommendations."""

    __tablename__ = "shop_settings"
    __table_args__ = (UniqueConstraint("shop_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    short_days: Mapped[int] = mapped_column(Integer, default=3)
    presale_days: Mapped[int] = mapped_column(Integer, default=7)
    delist_mode: Mapped[str] = mapped_column(String(16), default="unpublish")
    grace_minutes: Mapped[int] = mapped_column(Integer, default=0)
    safety_stock: Mapped[int] = mapped_column(Integer, default=0)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    presale_label_format: Mapped[str | None] = mapped_column(String(255))
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    sms_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    sms_provider: Mapped[str] = mapped_column(String(32), default="twilio")
    sender_name: Mapped[str | None] = mapped_column(String(255))
    reply_to: Mapped[str | None] = mapped_column(String(320))
    show_reason: Mapped[bool] = mapped_column(Boolean, default=True)
    quiet_hours_start: Mapped[int] = mapped_column(Integer, default=21)
    quiet_hours_end: Mapped[int] = mapped_column(Integer, default=8)
    notice_deadline_minutes: Mapped[int] = mapped_column(Integer, default=120)
    backorder_update_days: Mapped[int] = mapped_column(Integer, default=10)
    followup_days: Mapped[int] = mapped_column(Integer, default=3)
    choice_deadline_days: Mapped[int] = mapped_column(Integer, default=3)
    default_after_deadline: Mapped[str] = mapped_column(String(16), default="wait")
    messages_per_customer_per_day: Mapped[int] = mapped_column(Integer, default=4)
    restock_min_quantity: Mapped[int] = mapped_column(Integer, default=1)
    restock_batch_multiplier: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("1"))
    restock_batch_interval_minutes: Mapped[int] = mapped_column(Integer, default=30)
    admin_locale: Mapped[str | None] = mapped_column(String(16))

    shop: Mapped[Shop] = relationship(back_populates="settings")


class CompensationRuleRow(Timestamps, ShopOwned, Base):
    """The compensation a shop grants for one option (wait, substitute, refund)."""

    __tablename__ = "compensation_rules"
    __table_args__ = (UniqueConstraint("shop_id", "option"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    option: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32), default="none")
    value: Mapped[Decimal] = mapped_column(Numeric(12, 4), default=Decimal("0"))
    floor: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    cap: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    minimum_order: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    validity_days: Mapped[int] = mapped_column(Integer, default=30)
    priority_shipping: Mapped[bool] = mapped_column(Boolean, default=False)
    cover_price_difference_up_to: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    preset_id: Mapped[str | None] = mapped_column(String(64))


class MessageTemplate(Timestamps, ShopOwned, Base):
    """A merchant's edit of one part of one message kind in one locale."""

    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("shop_id", "kind", "locale", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(16))
    part: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)
