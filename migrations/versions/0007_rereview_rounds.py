"""Re-review rounds: a decided record's proposed governance change, what a decision judged, and
the legal basis for restriction a decision leaves standing.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("datasets", sa.Column("proposed_governance", sa.JSON(none_as_null=True)))
    op.add_column("decisions", sa.Column("proposal", sa.JSON(none_as_null=True)))
    op.add_column("decisions", sa.Column("rights", sa.String(255)))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would lose the decisions table's triggers.
    op.drop_column("decisions", "rights")
    op.drop_column("decisions", "proposal")
    op.drop_column("datasets", "proposed_governance")
