"""The records an import left for each department's stewards (a classification to confirm,
unread values), by department in the work lists' order: a steward's My work reads its page and
count off this index, where it read every record of the department (60 ms at 300,000 records
on PostgreSQL).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

NEEDS_ATTENTION = "CAST(attention AS VARCHAR) != '[]'"


def upgrade():
    op.create_index(
        "ix_datasets_needing_attention",
        "datasets",
        ["department_id", "release_target_date", "title"],
        sqlite_where=sa.text(NEEDS_ATTENTION),
        postgresql_where=sa.text(NEEDS_ATTENTION),
    )


def downgrade():
    op.drop_index("ix_datasets_needing_attention", table_name="datasets")
