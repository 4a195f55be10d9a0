"""Stockout cases: one per affected order, with its lines, timeline and side effects."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, UTCDateTime, utcnow
from app.models.base import ShopOwned, Timestamps


class StockoutCase(Timestamps, ShopOwned, Base):
    __tablename__ = "stockout_cases"
    __table_args__ = (
        UniqueConstraint("shop_id", "order_gid"),
        Index("ix_stockout_cases_shop_status", "shop_id", "status", "notify_deadline_at"),
        Index("ix_stockout_cases_shop_detected", "shop_id", "detected_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_gid: Mapped[str] = mapped_column(String(255))
    order_name: Mapped[str] = mapped_column(String(64), default="")
    customer_gid: Mapped[str | None] = mapped_column(String(255))
    customer_name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    customer_locale: Mapped[str | None] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    order_total: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal("0"))
    reason: Mapped[str] = mapped_column(String(32), default="unknown")
    status: Mapped[str] = mapped_column(String(24), default="open")
    restock_date: Mapped[date | None] = mapped_column(Date)
    choice: Mapped[str | None] = mapped_column(String(16))
    delay_count: Mapped[int] = mapped_column(Integer, default=0)
    satisfaction_score: Mapped[int | None] = mapped_column(Integer)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    notify_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    choice_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    link_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delay_agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followup_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delay_consent_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list["CaseLine"]] = relationship(back_populates="case", order_by="CaseLine.id")


class CaseLine(ShopOwned, Base):
    """An order line that cannot ship: how many units are short."""

    __tablename__ = "case_lines"
    __table_args__ = (UniqueConstraint("case_id", "line_item_gid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("stockout_cases.id", ondelete="CASCADE"), index=True)
    line_item_gid: Mapped[str] = mapped_column(String(255))
    variant_gid: Mapped[str | None] = mapped_column(String(255), index=True)
    product_gid: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(512), default="")
    sku: Mapped[str | None] = mapped_column(String(255))
    quantity_ordered: Mapped[int] = mapped_column(Integer, default=0)
    quantity_short: Mapped[int] = mapped_column(Integer, default=0)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal("0"))

    case: Mapped[StockoutCase] = relationship(back_populates="lines")


class CaseEvent(ShopOwned, Base):
    """One step in a case's timeline, as the merchant sees it."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_created", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("stockout_cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Compensation(Timestamps, ShopOwned, Base):
    """A coupon or other compensation granted on a case, with what it cost."""

    __tablename__ = "compensations"
    __table_args__ = (UniqueConstraint("idempotency_key"), Index("ix_compensations_shop_created", "shop_id", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("stockout_cases.id", ondelete="CASCADE"), index=True)
    option: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    currency: Mapped[str] = mapped_column(String(3))
    coupon_code: Mapped[str | None] = mapped_column(String(64))
    discount_gid: Mapped[str | None] = mapped_column(String(255))
    ends_on: Mapped[date | None] = mapped_column(Date)
    priority_shipping: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    idempotency_key: Mapped[str] = mapped_column(String(255))


class SideEffect(Timestamps, ShopOwned, Base):
    """A keyed action on the outside world (refund, order edit, coupon): done at most once."""

    __tablename__ = "side_effects"
    __table_args__ = (UniqueConstraint("idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("stockout_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    request: Mapped[dict | None] = mapped_column(JSON)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


class CaseOffer(ShopOwned, Base):
    """One option offered to the customer of a case, with the compensation it would bring."""

    __tablename__ = "case_offers"
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("stockout_cases.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(300))
    option: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer, default=0)
    variant_gid: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(512), default="")
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    price_difference: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    refund_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    refund_gateway: Mapped[str | None] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    grant: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
