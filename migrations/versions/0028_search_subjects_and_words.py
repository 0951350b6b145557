"""Search as people search (registry.datasets.documents): each search document also holds its
record's subjects (its themes' names and its department's name), so "budget" finds the records
under "Budget and Finance", and its title's words as a key, so a search for a record's exact
title ranks it first. On PostgreSQL each part has a weight of its own (title A, keywords B,
subjects C, description D), so that a search can be of titles alone (the public inventory's). A
vocabulary of the words documents hold (`dataset_search_words`, by length and by their letters
forwards and backwards) finds the words one edit from a misspelled one, on either database, by
index.

Every document is written again here from its record, as `datasets.documents` writes them (on
PostgreSQL, follow the upgrade with `VACUUM (ANALYZE) dataset_search`).

Revision ID: 0028
Revises: 0027
"""

import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

WORD = re.compile(r"[^\W\d_]{4,30}")
HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
SCOPE_KINDS = {"status": "zs", "classification": "zc", "department": "zd"}
CHUNK = 2000


def _scope_word(kind: str, value) -> str:
    return SCOPE_KINDS[kind] + re.sub(r"[\W_]", "", str(value)).lower()


def _documents(bind):
    """Each record's document, as datasets.documents.document_of writes it at this revision."""
    themes: dict[int, list[str]] = {}
    for dataset_id, theme in bind.execute(
        sa.text("SELECT dataset_id, theme FROM dataset_themes ORDER BY dataset_id, theme")
    ):
        themes.setdefault(dataset_id, []).append(theme)
    rows = bind.execute(
        sa.text(
            "SELECT d.id, d.title, d.description, d.keywords, d.additional_fields, d.status, "
            "d.classification, d.department_id, p.name AS department_name "
            "FROM datasets d JOIN departments p ON p.id = d.department_id ORDER BY d.id"
        )
    ).mappings()
    for row in rows:
        keywords = row["keywords"] or []
        additional = row["additional_fields"] or {}
        if isinstance(keywords, str):
            keywords = json.loads(keywords)
        if isinstance(additional, str):
            additional = json.loads(additional)
        yield {
            "id": row["id"],
            "title": HYPHEN.sub(" ", row["title"]),
            "description": HYPHEN.sub(" ", row["description"] or ""),
            "keywords": HYPHEN.sub(" ", " ".join([*keywords, *additional.values()])),
            "subjects": " ".join([row["department_name"], *themes.get(row["id"], [])]),
            "title_key": "zt" + "".join(re.findall(r"[^\W_]+", row["title"].lower())),
            "status": row["status"],
            "classification": row["classification"],
            "scope": " ".join(
                (
                    _scope_word("status", row["status"]),
                    _scope_word("classification", row["classification"]),
                    _scope_word("department", row["department_id"]),
                )
            ),
        }


def _words(document) -> set[str]:
    text = " ".join(
        document[part] for part in ("title", "description", "keywords", "subjects")
    ).lower()
    return set(WORD.findall(text))


def upgrade():
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    # Compared by code point, as registry.datasets.spelling reads ranges of them.
    collated = ' COLLATE "C"' if postgresql else ""
    op.execute(
        f"CREATE TABLE dataset_search_words (word VARCHAR(30){collated} PRIMARY KEY, "
        f"size INTEGER NOT NULL, backwards VARCHAR(30){collated} NOT NULL)"
    )
    op.execute(
        "CREATE INDEX ix_dataset_search_words_size_word ON dataset_search_words (size, word)"
    )
    op.execute(
        "CREATE INDEX ix_dataset_search_words_size_backwards "
        "ON dataset_search_words (size, backwards)"
    )
    if postgresql:
        op.execute("ALTER TABLE dataset_search ADD COLUMN title_key TEXT")
        write = sa.text(
            "UPDATE dataset_search SET title_key = :title_key, document = "
            "setweight(to_tsvector('english', :title), 'A') || "
            "setweight(to_tsvector('english', :keywords), 'B') || "
            "setweight(to_tsvector('english', :subjects), 'C') || "
            "setweight(to_tsvector('english', :description), 'D') || "
            "CAST(:lexemes AS tsvector) WHERE dataset_id = :id"
        )
    else:
        op.execute("DROP TABLE dataset_search")
        op.execute(
            "CREATE VIRTUAL TABLE dataset_search USING fts5(title, description, keywords, scope,"
            " subjects, title_key, tokenize = 'porter unicode61')"
        )
        write = sa.text(
            "INSERT INTO dataset_search (rowid, title, description, keywords, scope, subjects, "
            "title_key) VALUES (:id, :title, :description, :keywords, :scope, :subjects, "
            ":title_key)"
        )
    words: set[str] = set()
    batch = []
    for document in _documents(bind):
        if document["status"] == "published" and document["classification"] != "restricted":
            words |= _words(document)  # words anyone may read (registry.datasets.spelling)
        batch.append(document)
        if postgresql:
            document["lexemes"] = " ".join(f"'~{word}'" for word in document["scope"].split())
        if len(batch) == CHUNK:
            bind.execute(write, batch)
            batch = []
    if batch:
        bind.execute(write, batch)
    if postgresql:
        op.execute("CREATE INDEX ix_dataset_search_title_key ON dataset_search (title_key)")
    known = sorted(words)
    for start in range(0, len(known), CHUNK):
        bind.execute(
            sa.text(
                "INSERT INTO dataset_search_words (word, size, backwards) "
                "VALUES (:word, :size, :backwards)"
            ),
            [
                {"word": word, "size": len(word), "backwards": word[::-1]}
                for word in known[start : start + CHUNK]
            ],
        )


def downgrade():
    op.execute("DROP TABLE dataset_search_words")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_dataset_search_title_key")
        op.execute("ALTER TABLE dataset_search DROP COLUMN title_key")
        return  # the documents keep their subjects and weights until each is written again
    op.execute(
        "CREATE VIRTUAL TABLE dataset_search_before USING fts5("
        " title, description, keywords, scope, tokenize = 'porter unicode61')"
    )
    op.execute(
        "INSERT INTO dataset_search_before (rowid, title, description, keywords, scope) "
        "SELECT rowid, title, description, keywords, scope FROM dataset_search"
    )
    op.execute("DROP TABLE dataset_search")
    op.execute("ALTER TABLE dataset_search_before RENAME TO dataset_search")
