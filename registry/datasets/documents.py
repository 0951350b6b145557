"""Search documents: what the database's own full-text engine searches, kept where they change,
and the engine's queries over them.

SQLite uses an FTS5 table and PostgreSQL a tsvector table with a GIN index, both named
`dataset_search`, made by the migrations. Each record's document is derived from its row, its
themes and its department's name, and rewritten in the same transaction as any change to them
(registry.derived's rule: `reindex`), and the words it holds join the vocabulary that finds
misspelled ones (datasets.spelling). It holds the record's words (title, description, keywords
and additional fields), its subjects (its themes' names and its department's name), its title as
a key (a search for the exact title ranks the record first), and scope words for what decides
who reads it (its status, classification and department), where a reader's words never reach
them: a column of the FTS5 table, lexemes behind a mark in the tsvector. datasets.visibility
writes its one rule over those words too (`readable_words`), so that a search's total is
counted by the engine alone: the most common word's among 300,000 records in 22 ms, where
looking each match up among the records took 210 (docs/performance.md).
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, select, text
from sqlalchemy.orm import Session

from registry.accounts.models import Department
from registry.datasets import spelling
from registry.datasets.models import Dataset, DatasetTheme
from registry.datasets.visibility import VISITOR, can_read, readable_words
from registry.derived import keeps, locked_chunks
from registry.extensions import db

CHUNK = 500


def dialect() -> str:
    return db.session.get_bind().dialect.name


# The scope words: a kind's prefix and the value as one word (letters and digits only); the
# engine stems them as it stems the document's words, and no two values of a kind share a stem.
SCOPE_KINDS = {"status": "zs", "classification": "zc", "department": "zd"}
SCOPE_MARK = "~"  # before each on PostgreSQL (see _lexemes)


def scope_word(kind: str, value: object) -> str:
    return SCOPE_KINDS[kind] + re.sub(r"[\W_]", "", str(value)).lower()


def title_key(text_: str) -> str:
    """A title's (or a search's) words, lower case, run together behind a mark: an exact
    title's key, one word to the engine that no other column holds, so that SQLite's index
    finds it at once as PostgreSQL's b-tree does ("Tree" is "zttree", where "tree" would be
    looked for among every record holding the word)."""
    words = "".join(re.findall(r"[^\W_]+", text_.lower()))
    return "zt" + words if words else ""


def document_of(record: Mapping[str, Any], themes: Iterable[str] = ()) -> dict[str, Any]:
    """A record's search document's parts, from its row's values and its themes (title and
    keywords weigh more than subjects, and subjects more than description; the values of its
    additional fields, such as an inventory ID, are found with the keywords). A hyphen between
    letters or digits separates words, as the search's terms do: PostgreSQL's parser would
    otherwise read "INV-01013" as "inv" and the number -01013, which a search for INV-01013
    (terms inv, 01013) never finds."""
    additional = (record.get("additional_fields") or {}).values()
    return {
        "id": record["id"],
        "title": _words(record["title"]),
        "description": _words(record["description"] or ""),
        "keywords": _words(" ".join([*(record["keywords"] or []), *additional])),
        "subjects": " ".join([record["department_name"], *themes]),
        "public": can_read(
            VISITOR,
            classification=record["classification"],
            status=record["status"],
            department_id=record["department_id"],
        ),
        "title_key": title_key(record["title"]),
        "scope": " ".join(
            (
                scope_word("status", record["status"]),
                scope_word("classification", record["classification"]),
                scope_word("department", record["department_id"]),
            )
        ),
    }


HYPHEN = re.compile(r"(?<=\w)-(?=\w)")


def _words(text_: str) -> str:
    return HYPHEN.sub(" ", text_)


DOCUMENTED = (
    Dataset.id,
    Dataset.title,
    Dataset.description,
    Dataset.keywords,
    Dataset.additional_fields,
    Dataset.status,
    Dataset.classification,
    Dataset.department_id,
    Department.name.label("department_name"),
)


@keeps
def keep_documents(session: Session, records: set[int], _rounds: set[int]) -> None:
    reindex(session, records)


def reindex(session: Session, ids: Iterable[int]) -> int:
    """Rewrites these records' search documents from their rows as the transaction leaves
    them (registry.derived's rule: a search document is derived from its record, and its
    scope words must move with its status, classification and department)."""
    written = 0
    for part in locked_chunks(session, ids, CHUNK):
        rows = session.execute(
            select(*DOCUMENTED)
            .join(Department, Department.id == Dataset.department_id)
            .where(Dataset.id.in_(part))
        ).mappings()
        themes: dict[int, list[str]] = {}
        for dataset_id, theme in session.execute(
            select(DatasetTheme.dataset_id, DatasetTheme.theme)
            .where(DatasetTheme.dataset_id.in_(part))
            .order_by(DatasetTheme.dataset_id, DatasetTheme.theme)
        ):
            themes.setdefault(dataset_id, []).append(theme)
        documents = [document_of(row, themes.get(row["id"], ())) for row in rows]
        _drop_documents(session, part)
        index_documents(documents, session)
        written += len(documents)
    return written


def _drop_documents(session: Session, ids: list[int]) -> None:
    column = "dataset_id" if dialect() == "postgresql" else "rowid"
    session.execute(
        text(f"DELETE FROM dataset_search WHERE {column} IN :ids").bindparams(  # noqa: S608
            bindparam("ids", expanding=True)
        ),
        {"ids": ids},
    )


def _lexemes(scope: str) -> str:
    """PostgreSQL's scope words, as tsvector lexemes taken as they are (not parsed or
    stemmed), each behind a mark no reader's word holds, so no word a reader searches for
    reaches them, even as a prefix."""
    return " ".join(f"'{SCOPE_MARK}{word}'" for word in scope.split())


def index_documents(documents: list[dict[str, Any]], session: Session | None = None) -> None:
    """Writes new search documents (as document_of() gives them) in one statement."""
    if not documents:
        return
    session = session or db.session()
    if dialect() == "postgresql":
        session.execute(
            text(
                "INSERT INTO dataset_search (dataset_id, title_key, document) VALUES (:id, "
                ":title_key, setweight(to_tsvector('english', :title), 'A') || "
                "setweight(to_tsvector('english', :keywords), 'B') || "
                "setweight(to_tsvector('english', :subjects), 'C') || "
                "setweight(to_tsvector('english', :description), 'D') || "
                "CAST(:lexemes AS tsvector))"
            ),
            [{**document, "lexemes": _lexemes(document["scope"])} for document in documents],
        )
    else:
        session.execute(
            text(
                "INSERT INTO dataset_search (rowid, title, description, keywords, scope, "
                "subjects, title_key) VALUES (:id, :title, :description, :keywords, :scope, "
                ":subjects, :title_key)"
            ),
            documents,
        )
    # Only words anyone may read join the vocabulary: whether a word is known, or offered in
    # place of a misspelled one, must tell no one what a record they may not read says.
    spelled = ("title", "description", "keywords", "subjects")
    public = [document for document in documents if document["public"]]
    words = spelling.words_of(document[part] for document in public for part in spelled)
    spelling.remember(session, words, dialect() == "postgresql")


def search_terms(q: str | None) -> list[str]:
    """Words only: punctuation never reaches the engine, so no input is a syntax error."""
    return re.findall(r"\w+", (q or "").lower())[:20]


class Words:
    """How each engine writes a query over the scope words (datasets.visibility's rule and
    the filters it can say), and a reader's words kept off them."""

    def __init__(self, postgresql: bool) -> None:
        self.postgresql = postgresql

    def word(self, kind: str, value: object) -> str:
        found = scope_word(kind, value)
        return f"'{SCOPE_MARK}{found}'" if self.postgresql else f'"{found}"'

    def all_of(self, parts: list[str]) -> str:
        return "(" + (" & " if self.postgresql else " AND ").join(parts) + ")"

    def any_of(self, parts: list[str]) -> str:
        return "(" + (" | " if self.postgresql else " OR ").join(parts) + ")"

    def terms(self, terms: list[list[str]], *, titles: bool = False) -> str:
        """Every term as a word prefix (or one of its alternatives: datasets.spelling), in the
        record's words and subjects alone, or in its title alone."""
        if self.postgresql:  # (no scope word can match: see _lexemes)
            mark = ":*A" if titles else ":*"  # the title's weight (index_documents)
            return " & ".join(
                "(" + " | ".join(f"{word}{mark}" for word in words) + ")" for words in terms
            )
        either = (" OR ".join(f'"{word}"*' for word in words) for words in terms)
        columns = "title" if titles else "title description keywords subjects"
        return "{" + columns + "} : (" + " AND ".join(f"({words})" for words in either) + ")"

    def scoped(self, terms: str, scope: str | None) -> str:
        """SQLite's MATCH text; on PostgreSQL, the scope's tsquery text alone, since the terms
        are parsed and the scope words taken as they are."""
        if self.postgresql:
            return scope or ""
        return terms if scope is None else f"{terms} AND scope : {scope}"


def in_titles(terms: list[str]):
    """The ids of the records whose titles hold every term as a word prefix, or a word one edit
    from it (what the public inventory, which shows titles alone, searches)."""
    words = Words(dialect() == "postgresql")
    query = words.terms(spelling.alternatives(terms), titles=True)
    if words.postgresql:
        sql = "SELECT dataset_id FROM dataset_search WHERE document @@ to_tsquery('english', :q)"
    else:
        sql = "SELECT rowid FROM dataset_search WHERE dataset_search MATCH :q"
    return text(sql).bindparams(q=query).columns(id=db.Integer)


def _titled(key: str, postgresql: bool) -> list[int]:
    """The records whose title is a search's words (its title_key), found by index first, so
    that ranking them first costs the search nothing when there are none (most searches): a
    test of each match against them cost SQLite's common word search a fifth more."""
    if not key:
        return []
    if postgresql:
        found = "SELECT dataset_id FROM dataset_search WHERE title_key = :key"
    else:
        found = "SELECT rowid FROM dataset_search WHERE dataset_search MATCH :key"
        key = f'title_key : "{key}"'
    return list(db.session.scalars(text(found), {"key": key}))


# The filters the scope words cannot say: any of them leaves a search's total to SQL.
UNSCOPED_FILTERS = ("release_priority", "theme", "city_priority", "external_id")


def matches(user, criteria: dict[str, Any], terms: list[str], *, exact: str = ""):
    """(id, rank) of the records holding every term as a word prefix, or a word one edit
    from it (datasets.spelling), within the reader's scope (a lower rank is better; a record
    whose title is `exact`, a title_key, first), and whether the scope words say all that the
    SQL conditions do (then the engine counts the search's total alone)."""
    words = Words(dialect() == "postgresql")
    scope, complete = _scope(user, criteria, words)
    spelled = words.terms(spelling.alternatives(terms))
    query = words.scoped(spelled, scope)
    titled = _titled(exact, words.postgresql)
    first = " - CASE WHEN {} IN :titled THEN 1000.0 ELSE 0.0 END" if titled else ""
    if words.postgresql:
        # A reader's words parsed and stemmed, the scope's taken as they are (CAST), joined by
        # &&; no weight is asked for, so the index answers without reading each document again.
        found = (
            "(to_tsquery('english', :terms) && CAST(:query AS tsquery))"
            if query
            else "to_tsquery('english', :terms)"
        )
        # OFFSET 0 keeps the planner from folding the matches into the query around them: it
        # cannot tell how many a word finds, and folded it read records in the page's order
        # testing each one's document (1.1 s for a word 7 of 300,000 records hold).
        sql = (
            "SELECT dataset_id AS id, -ts_rank(document, to_tsquery('english', :terms))"  # noqa: S608
            f"{first.format('dataset_id')} AS rank FROM dataset_search "
            f"WHERE document @@ {found} OFFSET 0"
        )
        bound = text(sql).bindparams(terms=spelled)
        if query:
            bound = bound.bindparams(query=query)
    else:
        sql = (
            "SELECT rowid AS id, bm25(dataset_search, 10.0, 1.0, 5.0, 0.0, 3.0)"  # noqa: S608
            f"{first.format('rowid')} AS rank FROM dataset_search "
            "WHERE dataset_search MATCH :query"
        )
        bound = text(sql).bindparams(query=query)
    if titled:
        bound = bound.bindparams(bindparam("titled", titled, expanding=True))
    return bound.columns(id=db.Integer, rank=db.Float).subquery("matches"), complete


def _scope(user, criteria: dict[str, Any], words: Words) -> tuple[str | None, bool]:
    """The scope words' query for what the reader may read and the filters it can say (None
    for everything), and whether it says all that the SQL conditions say."""
    visible = readable_words(user, words.word, words.all_of, words.any_of)
    parts = [visible] if visible is not None else []
    complete = not any(criteria.get(name) for name in UNSCOPED_FILTERS)
    for name in ("status", "classification"):
        if criteria.get(name):
            parts.append(words.word(name, criteria[name]))
    if criteria.get("department"):
        found = db.session.scalar(
            select(Department.id).where(Department.code == criteria["department"])
        )
        if found is None:
            complete = False
        else:
            parts.append(words.word("department", found))
    return (words.all_of(parts) if parts else None), complete
