"""The outbox: until when a sender has claimed a message, so that no two senders send it; the
kind of each notification, for the inbox's filter; the note a workflow step's version keeps.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "outbound_emails", sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "notifications",
        sa.Column("kind", sa.String(length=32), nullable=False, server_default="General"),
    )
    with op.batch_alter_table("notifications") as batch:
        batch.alter_column("kind", server_default=None)
    op.add_column("dataset_versions", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("dataset_versions", "note")
    op.drop_column("notifications", "kind")
    op.drop_column("outbound_emails", "next_attempt_at")
