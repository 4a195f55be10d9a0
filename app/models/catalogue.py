"""What the app knows of each variant's stock and what it did to each product."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow
from app.models.base import ShopOwned, Timestamps


class VariantStock(Timestamps, ShopOwned, Base):
    """Available stock of one variant, summed over the locations the shop sells from."""

    __tablename__ = "variant_stock"
    __table_args__ = (
        UniqueConstraint("shop_id", "variant_gid"),
        Index("ix_variant_stock_shop_item", "shop_id", "inventory_item_gid"),
        Index("ix_variant_stock_shop_product", "shop_id", "product_gid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_gid: Mapped[str] = mapped_column(String(255))
    product_gid: Mapped[str | None] = mapped_column(String(255))
    inventory_item_gid: Mapped[str | None] = mapped_column(String(255))
    sku: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(512))
    vendor: Mapped[str | None] = mapped_column(String(255))
    tracked: Mapped[bool] = mapped_column(Boolean, default=True)
    available: Mapped[int] = mapped_column(Integer, default=0)
    levels: Mapped[dict] = mapped_column(JSON, default=dict)
    inventory_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    out_of_stock_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RestockPlan(Timestamps, ShopOwned, Base):
    """When stock is expected back, and why it ran out, for a variant, product, vendor or the shop."""

    __tablename__ = "restock_plans"
    __table_args__ = (UniqueConstraint("shop_id", "scope", "scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(16))
    scope_key: Mapped[str] = mapped_column(String(255), default="")
    restock_date: Mapped[date | None] = mapped_column(Date)
    lead_time_days: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32), default="unknown")
    source: Mapped[str] = mapped_column(String(16), default="admin")
    supplier_response: Mapped[str | None] = mapped_column(Text)


class ProductState(Timestamps, ShopOwned, Base):
    """The catalogue state the app applied to a product, and the originals to restore."""

    __tablename__ = "product_states"
    __table_args__ = (
        UniqueConstraint("shop_id", "product_gid"),
        Index("ix_product_states_shop_state", "shop_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_gid: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(512))
    state: Mapped[str] = mapped_column(String(16), default="normal")
    applied_changes: Mapped[dict | None] = mapped_column(JSON)
    leave_alone: Mapped[bool] = mapped_column(Boolean, default=False)
    ship_by: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(255))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    applied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)


class CatalogueChange(ShopOwned, Base):
    """One change the app made (or, in dry-run, would have made) to a product."""

    __tablename__ = "catalogue_changes"
    __table_args__ = (Index("ix_catalogue_changes_shop_product", "shop_id", "product_gid", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_gid: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict | list | str | None] = mapped_column(JSON)
    after: Mapped[dict | list | str | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(255), default="")
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
