"""Each record's rendered export row, kept until the record or the city's names change; an
index that reads a department's records in identifier order.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_rows",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.String(length=64), nullable=False),
        sa.Column("csv_head", sa.Text(), nullable=False),
        sa.Column("csv_tail", sa.Text(), nullable=False),
        sa.Column("cells", sa.Text(), nullable=False),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.Column("temporal", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_export_rows_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_export_rows")),
    )
    # Exports read each department's records in identifier order, and what they need of each
    # (its kept row is found by version), straight off an index.
    op.create_index(
        "ix_datasets_department_identifier",
        "datasets",
        ["department_id", "identifier", "version", "status", "classification", "steward_id"],
    )


def downgrade():
    op.drop_index("ix_datasets_department_identifier", table_name="datasets")
    op.drop_table("export_rows")
