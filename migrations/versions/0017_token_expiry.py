"""API tokens expire: each has the moment it stops working (a year after it was made unless its
owner chose otherwise). Tokens made before expire a year after they were made.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

YEAR = timedelta(days=365)


def upgrade():
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table(
        "api_tokens",
        sa.column("id", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    made = connection.execute(sa.select(tokens.c.id, tokens.c.created_at)).all()
    for token_id, created_at in made:
        connection.execute(
            tokens.update().where(tokens.c.id == token_id).values(expires_at=created_at + YEAR)
        )
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
