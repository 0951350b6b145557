"""A record's data dictionary entered on the record (`data_columns`: each column's name, type
and description, shown on its catalog page and given by the API); and the catalog's filters
kept where they change (dashboard.counts): how many released records carry each theme, format,
keyword and license (`released_term_counts`, in place of `released_theme_counts`), with each
record's terms as they were last counted (`record_kinds.terms`).

The terms are counted here for every record already counted, as `dashboard.counts` counts them
at this revision (formats in capitals, keywords in small letters, A to Z only).

Revision ID: 0029
Revises: 0028
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

RELEASABLE = ("public", "internal", "sensitive")
CHUNK = 5000
SMALL = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
CAPITAL = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _listed(value) -> list[str]:
    found = json.loads(value) if isinstance(value, str) else value
    return [item for item in found or [] if isinstance(item, str) and item.strip()]


def _terms(formats, keywords, license_url) -> list[list[str]]:
    terms = {("format", item.translate(CAPITAL)) for item in _listed(formats)}
    terms |= {("keyword", item.translate(SMALL)) for item in _listed(keywords)}
    if license_url:
        terms.add(("license", license_url))
    return [list(term) for term in sorted(terms)]


def _count_terms(bind) -> None:
    kinds = sa.table(
        "record_kinds", sa.column("dataset_id", sa.Integer), sa.column("terms", sa.JSON)
    )
    counts: dict[tuple[str, str], int] = {}
    last = 0
    while True:
        rows = bind.execute(
            sa.text(
                "SELECT d.id, d.formats, d.keywords, d.license, d.status, d.classification "
                "FROM datasets d JOIN record_kinds k ON k.dataset_id = d.id "
                "WHERE d.id > :last ORDER BY d.id LIMIT :chunk"
            ),
            {"last": last, "chunk": CHUNK},
        ).all()
        if not rows:
            break
        updates = []
        for record, formats, keywords, license_url, status, classification in rows:
            terms = _terms(formats, keywords, license_url)
            updates.append({"id": record, "terms": terms})
            if status == "published" and classification in RELEASABLE:
                for kind, value in terms:
                    counts[(kind, value)] = counts.get((kind, value), 0) + 1
        bind.execute(
            kinds.update()
            .where(kinds.c.dataset_id == sa.bindparam("id"))
            .values(terms=sa.bindparam("terms")),
            updates,
        )
        last = rows[-1][0]
    if counts:
        bind.execute(
            sa.text("INSERT INTO released_term_counts (kind, value, count) VALUES (:k, :v, :n)"),
            [{"k": kind, "v": value, "n": n} for (kind, value), n in sorted(counts.items())],
        )


def upgrade():
    with op.batch_alter_table("datasets") as batch:
        batch.add_column(sa.Column("data_columns", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("record_kinds") as batch:
        batch.add_column(sa.Column("terms", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "released_term_counts",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "value", name=op.f("pk_released_term_counts")),
    )
    op.execute(
        "INSERT INTO released_term_counts (kind, value, count) "
        "SELECT 'theme', theme, count FROM released_theme_counts"
    )
    _count_terms(op.get_bind())
    op.drop_table("released_theme_counts")


def downgrade():
    op.create_table(
        "released_theme_counts",
        sa.Column("theme", sa.String(length=100), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("theme", name=op.f("pk_released_theme_counts")),
    )
    op.execute(
        "INSERT INTO released_theme_counts (theme, count) "
        "SELECT value, count FROM released_term_counts WHERE kind = 'theme'"
    )
    op.drop_table("released_term_counts")
    # Dropped in place (SQLite 3.35 and later can): a batch copy of the datasets table would
    # lose its expression indexes, which SQLite's reflection does not read.
    op.execute("ALTER TABLE record_kinds DROP COLUMN terms")
    op.execute("ALTER TABLE datasets DROP COLUMN data_columns")
