"""What the app knows of each variant's stock and what it did to each product."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    levels_updated_at: Mapped[dict | None] = mapped_column(JSON)
    last_in_stock_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


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
    dry_run_digest: Mapped[str | None] = mapped_column(String(64))


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


class SeenOrder(ShopOwned, Base):
    """An order the app has seen, once, so the monthly report can count orders."""

    __tablename__ = "seen_orders"
    __table_args__ = (
        UniqueConstraint("shop_id", "order_gid"),
        Index("ix_seen_orders_shop_created", "shop_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_gid: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class VariantSalesDay(ShopOwned, Base):
    """Units of a variant ordered on one UTC day: the sales pace behind reorder suggestions."""

    __tablename__ = "variant_sales_days"
    __table_args__ = (UniqueConstraint("shop_id", "variant_gid", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_gid: Mapped[str] = mapped_column(String(255))
    product_gid: Mapped[str | None] = mapped_column(String(255))
    day: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer, default=0)


class LedgerOrder(Timestamps, ShopOwned, Base):
    """A recent order with tracked lines, kept to decide first-come first-served who is short."""

    __tablename__ = "ledger_orders"
    __table_args__ = (
        UniqueConstraint("shop_id", "order_gid"),
        Index("ix_ledger_orders_shop_created", "shop_id", "order_created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_gid: Mapped[str] = mapped_column(String(255))
    order_name: Mapped[str] = mapped_column(String(64), default="")
    order_created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    order_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    customer_gid: Mapped[str | None] = mapped_column(String(255))
    customer_name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    customer_locale: Mapped[str | None] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    total_price: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal("0"))
    refunds: Mapped[dict] = mapped_column(JSON, default=dict)
    refunds_in_quantities: Mapped[list] = mapped_column(JSON, default=list)

    lines: Mapped[list["LedgerLine"]] = relationship(back_populates="order", order_by="LedgerLine.id")


class LedgerLine(ShopOwned, Base):
    """One tracked order line in the ledger: how many units it still waits for."""

    __tablename__ = "ledger_lines"
    __table_args__ = (
        UniqueConstraint("shop_id", "line_item_gid"),
        Index("ix_ledger_lines_shop_variant_created", "shop_id", "variant_gid", "order_created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("ledger_orders.id", ondelete="CASCADE"), index=True)
    line_item_gid: Mapped[str] = mapped_column(String(255))
    variant_gid: Mapped[str] = mapped_column(String(255))
    product_gid: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(512), default="")
    sku: Mapped[str | None] = mapped_column(String(255))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal("0"))
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    current_quantity: Mapped[int] = mapped_column(Integer, default=0)
    fulfillable_quantity: Mapped[int] = mapped_column(Integer, default=0)
    tracked: Mapped[bool] = mapped_column(Boolean, default=True)
    preordered: Mapped[bool] = mapped_column(Boolean, default=False)
    order_created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    order: Mapped[LedgerOrder] = relationship(back_populates="lines")
