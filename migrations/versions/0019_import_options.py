"""What the uploader of an inventory chose in its preview (add the departments it names that
the registry lacks), kept with the upload for the confirming step.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("import_uploads") as batch:
        batch.add_column(sa.Column("options", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("import_uploads") as batch:
        batch.drop_column("options")
