"""add case offers, restock alerts, the delay-consent due time and the sign-up IP

Revision ID: c8a1f0e2b7d4
Revises: 5fc6159c2d24
Create Date: 2026-11-25 09:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "c8a1f0e2b7d4"
down_revision = "5fc6159c2d24"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("option", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("variant_gid", sa.String(length=255), nullable=True),
        sa.Column("title", sa.String(length=512), nullable=False),
        sa.Column("unit_price", sa.Numeric(14, 4), nullable=True),
        sa.Column("price_difference", sa.Numeric(14, 4), nullable=True),
        sa.Column("refund_amount", sa.Numeric(14, 4), nullable=True),
        sa.Column("refund_gateway", sa.String(length=64), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("grant", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["stockout_cases.id"], name=op.f("fk_case_offers_case_id_stockout_cases"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_case_offers_shop_id_shops"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_offers")),
        sa.UniqueConstraint("case_id", "key", name=op.f("uq_case_offers_case_id_key")),
    )
    with op.batch_alter_table("case_offers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_offers_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_offers_shop_id"), ["shop_id"], unique=False)

    op.create_table(
        "restock_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("variant_gid", sa.String(length=255), nullable=False),
        sa.Column("product_gid", sa.String(length=255), nullable=True),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("batch_number", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_restock_alerts_shop_id_shops"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restock_alerts")),
        sa.UniqueConstraint("shop_id", "variant_gid", name=op.f("uq_restock_alerts_shop_id_variant_gid")),
    )
    with op.batch_alter_table("restock_alerts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_restock_alerts_shop_id"), ["shop_id"], unique=False)

    with op.batch_alter_table("stockout_cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delay_consent_due_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("back_in_stock_subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_ip", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("back_in_stock_subscriptions", schema=None) as batch_op:
        batch_op.drop_column("consent_ip")
    with op.batch_alter_table("stockout_cases", schema=None) as batch_op:
        batch_op.drop_column("delay_consent_due_at")
    with op.batch_alter_table("restock_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_restock_alerts_shop_id"))
    op.drop_table("restock_alerts")
    with op.batch_alter_table("case_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_offers_shop_id"))
        batch_op.drop_index(batch_op.f("ix_case_offers_case_id"))
    op.drop_table("case_offers")
