"""add the HTML part to notifications, so a retried or scheduled e-mail is sent exactly as composed

Revision ID: d4e7a9c1f3b2
Revises: 4b7e2d9c1a63
Create Date: 2026-11-25 12:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = "d4e7a9c1f3b2"
down_revision = "4b7e2d9c1a63"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.add_column(sa.Column("html", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_column("html")
