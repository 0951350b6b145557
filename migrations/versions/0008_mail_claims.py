"""The outbox: until when a sender has claimed a message, so that no two senders send it.

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


def downgrade():
    op.drop_column("outbound_emails", "next_attempt_at")
