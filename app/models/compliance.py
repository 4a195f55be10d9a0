"""Privacy requests from Shopify (customers/data_request, customers/redact) and what the app did about them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.models.base import ShopOwned, Timestamps


class ComplianceRequest(Timestamps, ShopOwned, Base):
    """One request, keyed by the webhook event that carried it; `export` is what the merchant downloads."""

    __tablename__ = "compliance_requests"
    __table_args__ = (
        UniqueConstraint("event_id"),
        Index("ix_compliance_requests_shop_created", "shop_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str] = mapped_column(String(64))
    shopify_request_id: Mapped[str | None] = mapped_column(String(64))
    customer_gid: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="completed")
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    export: Mapped[dict | None] = mapped_column(JSON)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
