"""Finding datasets: full-text search in the database's own engine, filters, sorting, facets.

SQLite uses an FTS5 table and PostgreSQL a tsvector table with a GIN index, both named
`dataset_search`, made by the migrations and kept current by index_dataset() in the same
transaction as the change. Every query starts from readable_by(user), so results, totals and
facet counts only ever count what the user may read.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select, text
from sqlalchemy.sql import Select

from registry.accounts.models import Department
from registry.datasets.models import Dataset, DatasetTheme
from registry.datasets.permissions import readable_by
from registry.datasets.vocab import Classification, PriorityRank
from registry.extensions import db

FACETS = ("department", "status", "classification", "release_priority", "theme")


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def index_dataset(dataset: Dataset) -> None:
    """Writes the record's search document (title and keywords weigh more than description)."""
    values = {
        "id": dataset.id,
        "title": dataset.title,
        "description": dataset.description or "",
        "keywords": " ".join(dataset.keywords or []),
    }
    if _dialect() == "postgresql":
        db.session.execute(
            text(
                "INSERT INTO dataset_search (dataset_id, document) VALUES (:id, "
                "setweight(to_tsvector('english', :title), 'A') || "
                "setweight(to_tsvector('english', :keywords), 'A') || "
                "setweight(to_tsvector('english', :description), 'B')) "
                "ON CONFLICT (dataset_id) DO UPDATE SET document = EXCLUDED.document"
            ),
            values,
        )
    else:
        db.session.execute(text("DELETE FROM dataset_search WHERE rowid = :id"), values)
        db.session.execute(
            text(
                "INSERT INTO dataset_search (rowid, title, description, keywords) "
                "VALUES (:id, :title, :description, :keywords)"
            ),
            values,
        )


def search_terms(q: str | None) -> list[str]:
    """Words only: punctuation never reaches the engine, so no input is a syntax error."""
    return re.findall(r"\w+", (q or "").lower())[:20]


def _matches(terms: list[str]):
    """(id, rank) of the records holding every term as a word prefix; a lower rank is better."""
    if _dialect() == "postgresql":
        query = " & ".join(f"{term}:*" for term in terms)
        sql = (
            "SELECT dataset_id AS id, -ts_rank(document, to_tsquery('english', :query)) AS rank "
            "FROM dataset_search WHERE document @@ to_tsquery('english', :query)"
        )
    else:
        query = " ".join(f'"{term}"*' for term in terms)
        sql = (
            "SELECT rowid AS id, bm25(dataset_search, 10.0, 1.0, 5.0) AS rank "
            "FROM dataset_search WHERE dataset_search MATCH :query"
        )
    return (
        text(sql).bindparams(query=query).columns(id=db.Integer, rank=db.Float).subquery("matches")
    )


@dataclass
class SearchResult:
    items: list[Dataset]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    restricted_not_shown: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(user, criteria: dict[str, Any]) -> Select:
    query = select(Dataset.id).where(readable_by(user))
    if criteria.get("department"):
        query = query.join(Department, Dataset.department_id == Department.id).where(
            Department.code == criteria["department"]
        )
    for name in ("status", "classification", "release_priority"):
        if criteria.get(name):
            query = query.where(getattr(Dataset, name) == str(criteria[name]))
    if criteria.get("theme"):
        query = query.where(Dataset.theme_rows.any(DatasetTheme.theme == criteria["theme"]))
    return query


def find_datasets(user, criteria: dict[str, Any], *, with_facets: bool = True) -> SearchResult:
    terms = search_terms(criteria.get("q"))
    ids = _filtered(user, criteria)
    query = select(Dataset).where(Dataset.id.in_(ids))
    sort = criteria.get("sort") or ("relevance" if terms else "-updated")
    if terms:
        matches = _matches(terms)
        query = query.join(matches, matches.c.id == Dataset.id)
    order = {
        "relevance": [matches.c.rank, Dataset.title] if terms else [Dataset.updated_at.desc()],
        "-updated": [Dataset.updated_at.desc()],
        "updated": [Dataset.updated_at],
        "title": [Dataset.title],
        "-title": [Dataset.title.desc()],
        "-created": [Dataset.created_at.desc()],
        "priority": [
            case({rank.name: rank.value for rank in PriorityRank}, value=Dataset.release_priority),
            Dataset.title,
        ],
    }[sort]
    page, per_page = criteria.get("page", 1), criteria.get("per_page", 25)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.order_by(*order, Dataset.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    result = SearchResult(list(items), total, page, per_page)
    if with_facets:
        matched = select(Dataset.id).where(Dataset.id.in_(ids))
        if terms:
            matched = matched.join(matches, matches.c.id == Dataset.id)
        result.facets = facet_counts(matched.subquery())
    result.restricted_not_shown = restricted_not_shown(user, criteria.get("department"))
    return result


def facet_counts(matched) -> dict[str, dict[str, int]]:
    """Counts per value of each facet, over the records the user found (and so may read)."""
    facets: dict[str, dict[str, int]] = {}
    by_department = db.session.execute(
        select(Department.code, func.count())
        .join(Dataset, Dataset.department_id == Department.id)
        .where(Dataset.id.in_(select(matched.c.id)))
        .group_by(Department.code)
        .order_by(Department.code)
    )
    facets["department"] = dict(by_department.all())
    for name in ("status", "classification", "release_priority"):
        column = getattr(Dataset, name)
        rows = db.session.execute(
            select(column, func.count())
            .where(Dataset.id.in_(select(matched.c.id)))
            .group_by(column)
            .order_by(column)
        )
        facets[name] = dict(rows.all())
    rows = db.session.execute(
        select(DatasetTheme.theme, func.count())
        .where(DatasetTheme.dataset_id.in_(select(matched.c.id)))
        .group_by(DatasetTheme.theme)
        .order_by(DatasetTheme.theme)
    )
    facets["theme"] = dict(rows.all())
    return facets


def restricted_not_shown(user, department_code: str | None = None) -> int:
    """The aggregate in which restricted records this user may not read still appear.

    Only ever by department: a count that followed a search term or any other filter would
    reveal what a restricted record is about.
    """
    query = select(func.count(Dataset.id)).where(
        Dataset.classification == str(Classification.RESTRICTED), ~readable_by(user)
    )
    if department_code:
        query = query.join(Department, Dataset.department_id == Department.id).where(
            Department.code == department_code
        )
    return db.session.scalar(query)
