"""Indexes that read a page of the published records, or of one department's by status, in
the order asked for (recently updated first, or by title) and stop after the page, in place of
the status index, which sorted every published record to show 25.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_datasets_status_updated_at_id": ["status", "updated_at", "id"],
    "ix_datasets_status_title_id": ["status", "title", "id"],
    "ix_datasets_department_status_updated_at_id": [
        "department_id",
        "status",
        "updated_at",
        "id",
    ],
    "ix_datasets_department_status_title_id": ["department_id", "status", "title", "id"],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "datasets", columns)
    op.drop_index("ix_datasets_status", table_name="datasets")


def downgrade():
    op.create_index("ix_datasets_status", "datasets", ["status"])
    for name in INDEXES:
        op.drop_index(name, table_name="datasets")
