"""An index that finds the approved records past their target date (the dashboard's overdue
list and its count, the coordinator's work) in target-date order, instead of reading every
approved record.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_datasets_status_release_target_date", "datasets", ["status", "release_target_date"]
    )


def downgrade():
    op.drop_index("ix_datasets_status_release_target_date", table_name="datasets")
