"""add seen orders and variant sales days for the reports, and the admin language switch

Revision ID: 4b7e2d9c1a63
Revises: c8a1f0e2b7d4
Create Date: 2026-11-25 12:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "4b7e2d9c1a63"
down_revision = "c8a1f0e2b7d4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seen_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_gid", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_seen_orders_shop_id_shops"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seen_orders")),
        sa.UniqueConstraint("shop_id", "order_gid", name=op.f("uq_seen_orders_shop_id_order_gid")),
    )
    with op.batch_alter_table("seen_orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seen_orders_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index("ix_seen_orders_shop_created", ["shop_id", "created_at"], unique=False)

    op.create_table(
        "variant_sales_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("variant_gid", sa.String(length=255), nullable=False),
        sa.Column("product_gid", sa.String(length=255), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_variant_sales_days_shop_id_shops"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variant_sales_days")),
        sa.UniqueConstraint("shop_id", "variant_gid", "day", name=op.f("uq_variant_sales_days_shop_id_variant_gid_day")),
    )
    with op.batch_alter_table("variant_sales_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_variant_sales_days_shop_id"), ["shop_id"], unique=False)

    with op.batch_alter_table("shop_settings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("admin_locale", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shop_settings", schema=None) as batch_op:
        batch_op.drop_column("admin_locale")
    with op.batch_alter_table("variant_sales_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_variant_sales_days_shop_id"))
    op.drop_table("variant_sales_days")
    with op.batch_alter_table("seen_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_seen_orders_shop_created")
        batch_op.drop_index(batch_op.f("ix_seen_orders_shop_id"))
    op.drop_table("seen_orders")
