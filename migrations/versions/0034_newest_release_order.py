"""The listing's "newest release" order on PostgreSQL, read off an index: published_on descending
with the never-released last, as the listing sorts (an ascending index read backwards puts them
first, so every page sorted every record in scope: 260 ms for a visitor's first page at 300,000
records). SQLite reads an ascending index backwards in that order already, so it has the
status's; it gains every record's and a department's (a coordinator's first page sorted
300,000 records: 115 ms).

Revision ID: 0034
Revises: 0033
"""

from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_datasets_released": "",
    "ix_datasets_status_released": "status, ",
    "ix_datasets_department_released": "department_id, ",
    "ix_datasets_department_status_released": "department_id, status, ",
    # A level's: the restricted, never released, came last off the general index (0.5 s).
    "ix_datasets_classification_released": "classification, ",
}


# Not a level's: SQLite, without statistics, would read it for every order of a level's records.
ON_SQLITE = ("ix_datasets_released", "ix_datasets_department_released")


def _made_here() -> dict[str, str]:
    if op.get_bind().dialect.name == "postgresql":
        return {name: "published_on DESC NULLS LAST, id DESC" for name in INDEXES}
    return {name: "published_on DESC, id DESC" for name in ON_SQLITE}


def upgrade():
    for name, order in _made_here().items():
        op.execute(f"CREATE INDEX {name} ON datasets ({INDEXES[name]}{order})")


def downgrade():
    for name in _made_here():
        op.execute(f"DROP INDEX {name}")
