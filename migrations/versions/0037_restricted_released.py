"""The restricted level's records in the "newest release" order, on SQLite: a partial index of
that level alone. Read off the general index, the restricted (released rarely, if ever) came
last, after every released record: a coordinator's first page of them took 380 ms at 300,000
records. A level's index on every record was tried before and dropped (0034): SQLite, without
statistics, read it for every order of a level's records. This one it reads only for a listing
that names the restricted level and sorts by release. PostgreSQL has a level's index (0034).

Revision ID: 0037
Revises: 0036
"""

from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE INDEX ix_datasets_restricted_released ON datasets "
            "(published_on DESC, id DESC) WHERE classification = 'restricted'"
        )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX ix_datasets_restricted_released")
