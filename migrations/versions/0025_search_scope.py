"""Each search document carries scope words for what decides who reads its record (status,
classification, department), where a reader's words never reach them: a column of the FTS5
table on SQLite; on PostgreSQL, lexemes taken as they are, behind a mark (~) no reader's word
holds (every document is rewritten: follow the upgrade with `VACUUM (ANALYZE) dataset_search`).
A search's total is then counted by the engine alone (registry.datasets.documents). The words
are written here as `datasets.documents` writes them: a kind's prefix and the value's letters
and digits.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

SCOPE = (
    "'zs' || replace(d.status, '_', '') || ' zc' || d.classification "
    "|| ' zd' || CAST(d.department_id AS TEXT)"
)
# The same words as tsvector lexemes: '~zspublished' '~zcpublic' '~zd3'.
LEXEMES = (
    "'''~zs' || replace(d.status, '_', '') || ''' ''~zc' || d.classification "
    "|| ''' ''~zd' || CAST(d.department_id AS TEXT) || ''''"
)


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE dataset_search s SET document = s.document || "  # noqa: S608
            f"CAST({LEXEMES} AS tsvector) "
            "FROM datasets d WHERE d.id = s.dataset_id"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE dataset_search_scoped USING fts5("
        " title, description, keywords, scope, tokenize = 'porter unicode61')"
    )
    op.execute(
        "INSERT INTO dataset_search_scoped (rowid, title, description, keywords, scope) "  # noqa: S608
        f"SELECT s.rowid, s.title, s.description, s.keywords, {SCOPE} "
        "FROM dataset_search s JOIN datasets d ON d.id = s.rowid"
    )
    op.execute("DROP TABLE dataset_search")
    op.execute("ALTER TABLE dataset_search_scoped RENAME TO dataset_search")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE dataset_search SET document = ts_delete(document, ARRAY("
            "SELECT lexeme FROM unnest(document) WHERE lexeme LIKE '~%'))"
        )
        return
    op.execute(
        "CREATE VIRTUAL TABLE dataset_search_plain USING fts5("
        " title, description, keywords, tokenize = 'porter unicode61')"
    )
    op.execute(
        "INSERT INTO dataset_search_plain (rowid, title, description, keywords) "
        "SELECT rowid, title, description, keywords FROM dataset_search"
    )
    op.execute("DROP TABLE dataset_search")
    op.execute("ALTER TABLE dataset_search_plain RENAME TO dataset_search")
