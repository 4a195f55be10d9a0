"""add the order ledger (who is short, first-come first-served), per-location reading times and the dry-run digest

Revision ID: a6c3e1f48b20
Revises: e5b2c7d8a9f1
Create Date: 2026-11-25 16:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "a6c3e1f48b20"
down_revision = "e5b2c7d8a9f1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_gid", sa.String(length=255), nullable=False),
        sa.Column("order_name", sa.String(length=64), nullable=False),
        sa.Column("order_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("customer_gid", sa.String(length=255), nullable=True),
        sa.Column("customer_name", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("customer_locale", sa.String(length=16), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("total_price", sa.Numeric(14, 4), nullable=False),
        sa.Column("refunds", sa.JSON(), nullable=False),
        sa.Column("refunds_in_quantities", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_ledger_orders_shop_id_shops"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_orders")),
        sa.UniqueConstraint("shop_id", "order_gid", name=op.f("uq_ledger_orders_shop_id_order_gid")),
    )
    with op.batch_alter_table("ledger_orders") as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_orders_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index("ix_ledger_orders_shop_created", ["shop_id", "order_created_at"], unique=False)

    op.create_table(
        "ledger_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_item_gid", sa.String(length=255), nullable=False),
        sa.Column("variant_gid", sa.String(length=255), nullable=False),
        sa.Column("product_gid", sa.String(length=255), nullable=True),
        sa.Column("title", sa.String(length=512), nullable=False),
        sa.Column("sku", sa.String(length=255), nullable=True),
        sa.Column("unit_price", sa.Numeric(14, 4), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("current_quantity", sa.Integer(), nullable=False),
        sa.Column("fulfillable_quantity", sa.Integer(), nullable=False),
        sa.Column("tracked", sa.Boolean(), nullable=False),
        sa.Column("preordered", sa.Boolean(), nullable=False),
        sa.Column("order_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["ledger_orders.id"], name=op.f("fk_ledger_lines_order_id_ledger_orders"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_ledger_lines_shop_id_shops"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_lines")),
        sa.UniqueConstraint("shop_id", "line_item_gid", name=op.f("uq_ledger_lines_shop_id_line_item_gid")),
    )
    with op.batch_alter_table("ledger_lines") as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_lines_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_lines_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            "ix_ledger_lines_shop_variant_created", ["shop_id", "variant_gid", "order_created_at"], unique=False
        )

    with op.batch_alter_table("variant_stock") as batch_op:
        batch_op.add_column(sa.Column("levels_updated_at", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("last_in_stock_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("product_states") as batch_op:
        batch_op.add_column(sa.Column("dry_run_digest", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("product_states") as batch_op:
        batch_op.drop_column("dry_run_digest")
    with op.batch_alter_table("variant_stock") as batch_op:
        batch_op.drop_column("last_in_stock_at")
        batch_op.drop_column("levels_updated_at")
    with op.batch_alter_table("ledger_lines") as batch_op:
        batch_op.drop_index("ix_ledger_lines_shop_variant_created")
        batch_op.drop_index(batch_op.f("ix_ledger_lines_order_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_lines_shop_id"))
    op.drop_table("ledger_lines")
    with op.batch_alter_table("ledger_orders") as batch_op:
        batch_op.drop_index("ix_ledger_orders_shop_created")
        batch_op.drop_index(batch_op.f("ix_ledger_orders_shop_id"))
    op.drop_table("ledger_orders")
