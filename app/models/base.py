"""Columns shared by every table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.db import UTCDateTime, utcnow


class ShopOwned:
    """A row that belongs to one shop; deleting the shop deletes the row."""

    @declared_attr
    def shop_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("shops.id", ondelete="CASCADE"), index=True)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
