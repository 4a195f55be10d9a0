"""add next_attempt_at to webhook events, so a failed event is retried with backoff

Revision ID: b91d3e5f7a20
Revises: a6c3e1f48b20
Create Date: 2026-11-25 15:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "b91d3e5f7a20"
down_revision = "a6c3e1f48b20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_events") as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("webhook_events") as batch_op:
        batch_op.drop_column("next_attempt_at")
