"""What a city's own inventory said that has no field in the registry (its additional fields,
under the file's own headers), and what a record's steward must look at (a classification to
confirm, values an import could not read).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(
            sa.Column("additional_fields", sa.JSON(), nullable=False, server_default="{}")
        )
        batch.add_column(sa.Column("attention", sa.JSON(), nullable=False, server_default="[]"))


def downgrade():
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("attention")
        batch.drop_column("additional_fields")
