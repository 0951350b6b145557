"""A record's data dictionary entered on the record (`data_columns`: each column's name, type
and description, shown on its catalog page and given by the API).

Revision ID: 0029
Revises: 0028
"""

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("data_columns", sa.JSON(), nullable=False, server_default="[]"))


def downgrade():
    with op.batch_alter_table("datasets") as batch:
        batch.drop_column("data_columns")
