"""add compliance requests: what the app gathered or erased for each customer privacy request

Revision ID: e5b2c7d8a9f1
Revises: d4e7a9c1f3b2
Create Date: 2026-11-25 14:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "e5b2c7d8a9f1"
down_revision = "d4e7a9c1f3b2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "compliance_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("shopify_request_id", sa.String(length=64), nullable=True),
        sa.Column("customer_gid", sa.String(length=255), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("export", sa.JSON(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_compliance_requests_shop_id_shops"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_requests")),
        sa.UniqueConstraint("event_id", name=op.f("uq_compliance_requests_event_id")),
    )
    with op.batch_alter_table("compliance_requests") as batch_op:
        batch_op.create_index(batch_op.f("ix_compliance_requests_shop_id"), ["shop_id"], unique=False)
        batch_op.create_index("ix_compliance_requests_shop_created", ["shop_id", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("compliance_requests") as batch_op:
        batch_op.drop_index("ix_compliance_requests_shop_created")
        batch_op.drop_index(batch_op.f("ix_compliance_requests_shop_id"))
    op.drop_table("compliance_requests")
