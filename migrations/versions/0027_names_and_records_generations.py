"""Two generations (registry.derived): NAMES, of the names a record's dump shows from other rows
(a department's, a steward's, a city priority's), which kept dumps of records are kept with
beside the record's version (datasets.dumps), in place of a key made of every part of the dump;
and RECORDS, of the records alone, which kept counts of records are kept with, so that a vote or
a request does not make the next search count again.

Revision ID: 0027
Revises: 0026
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    generations = sa.table("generations", sa.column("id", sa.Integer), sa.column("value"))
    op.bulk_insert(generations, [{"id": 2, "value": 0}, {"id": 3, "value": 0}])


def downgrade() -> None:
    op.execute("DELETE FROM generations WHERE id IN (2, 3)")
