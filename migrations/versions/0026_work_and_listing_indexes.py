"""Indexes for work lists and listings. The records an import left for each department's
stewards (a classification to confirm, unread values), by department in the work lists' order:
a steward's My work reads its page and count off this index, where it read every record of the
department (60 ms at 300,000 records on PostgreSQL). The records of a status (a visitor's: the
published), or one department's in a status or in all, newest first, by title, by last update
and by priority (high first): the API's listing in those orders read every published record,
or every record of a department, and sorted them (300 to 600 ms, and 45 ms, at 300,000
records on SQLite). The priority order's expression is written out as
`datasets.vocab.PRIORITY_ORDER` writes it.

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
PRIORITY_ORDER = (
    "CASE WHEN release_priority = 'high' THEN 1 WHEN release_priority = 'medium' THEN 2 "
    "WHEN release_priority = 'low' THEN 3 END"
)
BY_ORDER = {
    "ix_datasets_status_id": ["status", "id"],
    "ix_datasets_department_status_id": ["department_id", "status", "id"],
    "ix_datasets_status_priority": ["status", sa.text(f"({PRIORITY_ORDER})"), "title", "id"],
    "ix_datasets_department_status_priority": [
        "department_id",
        "status",
        sa.text(f"({PRIORITY_ORDER})"),
        "title",
        "id",
    ],
    "ix_datasets_department_updated_at_id": ["department_id", "updated_at", "id"],
    "ix_datasets_department_title_id": ["department_id", "title", "id"],
    "ix_datasets_department_id": ["department_id", "id"],
    "ix_datasets_department_priority": [
        "department_id",
        sa.text(f"({PRIORITY_ORDER})"),
        "title",
        "id",
    ],
    "ix_datasets_priority": [sa.text(f"({PRIORITY_ORDER})"), "title", "id"],
}


def upgrade():
    op.create_index(
        "ix_datasets_needing_attention",
        "datasets",
        ["department_id", "release_target_date", "title"],
        sqlite_where=sa.text(NEEDS_ATTENTION),
        postgresql_where=sa.text(NEEDS_ATTENTION),
    )
    for name, columns in BY_ORDER.items():
        op.create_index(name, "datasets", columns)


def downgrade():
    for name in BY_ORDER:
        op.drop_index(name, table_name="datasets")
    op.drop_index("ix_datasets_needing_attention", table_name="datasets")
