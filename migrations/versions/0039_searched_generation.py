"""A generation of what a search's words hold (registry.derived.SEARCHED): a record's words,
its scope words (status, level, department), its themes' and department's names. A search's
total counted by the engine alone is kept with it, so that an edit of anything else (a
priority, a target date) or a vote no longer has the next search count again.

Revision ID: 0039
Revises: 0038
"""

import sqlalchemy as sa
from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade() -> None:
    generations = sa.table("generations", sa.column("id", sa.Integer), sa.column("value"))
    op.bulk_insert(generations, [{"id": 4, "value": 0}])


def downgrade() -> None:
    op.execute("DELETE FROM generations WHERE id = 4")
