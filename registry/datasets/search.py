"""Finding datasets: full-text search in the database's own engine (over the search documents
of datasets.documents), filters, sorting, facets. Every query starts from readable_by(user), and
a total the engine counts alone applies the same rule to the documents' scope words, so results,
totals and facet counts only ever count what the user may read.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import Integer, any_, bindparam, exists, func, literal, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import defaultload
from sqlalchemy.sql import Select

from registry.accounts.models import Department
from registry.datasets import cursors, documents, dumps, facets, spelling
from registry.datasets.listing_schemas import FACET_NAMES
from registry.datasets.models import Dataset, DatasetTheme
from registry.datasets.visibility import (
    Reading,
    not_readable_restricted,
    readable_by,
    visibility_class,
)
from registry.datasets.vocab import Classification, PriorityRank
from registry.db import Unindexed, in_order_of
from registry.derived import RECORDS, SEARCHED, settle
from registry.extensions import db
from registry.memo import remembered
from registry.performance.models import CityPriority
from registry.reviews.workflow import State

# The facets a staff list counts unless told otherwise; the catalog asks for its own.
FACETS = ("department", "status", "classification", "release_priority", "theme")
# The facets counted by grouping the records themselves (themes and lists are counted apart).
GROUPED = {
    "department": Dataset.department_id,
    "status": Dataset.status,
    "classification": Dataset.classification,
    "release_priority": Dataset.release_priority,
    "license": Dataset.license,
}


@dataclass
class SearchResult:
    items: list[Dataset]
    total: int
    page: int
    per_page: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    restricted_not_shown: int = 0
    next: str | None = None  # a cursor for the page after this one (keyset pagination)
    suggestion: str | None = None  # "did you mean": a search that finds what this did not

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _conditions(user, criteria: dict[str, Any]) -> list:
    """Visibility first, then the filters; every query below applies exactly these."""
    conditions = [readable_by(user)]
    if criteria.get("department"):
        conditions.append(
            Dataset.department_id
            == select(Department.id)
            .where(Department.code == criteria["department"])
            .scalar_subquery()
        )
    for name in ("status", "release_priority"):
        if criteria.get(name):
            conditions.append(getattr(Dataset, name) == str(criteria[name]))
    if criteria.get("classification"):
        # Written into the statement (a level of the vocabulary, checked by the schema), so
        # that SQLite may read the partial index of the restricted level (models.Dataset).
        level = literal(str(criteria["classification"]), literal_execute=True)
        conditions.append(Dataset.classification == level)
    if criteria.get("theme"):
        conditions.append(Dataset.theme_rows.any(DatasetTheme.theme == criteria["theme"]))
    if criteria.get("city_priority"):
        conditions.append(Dataset.supports.any(CityPriority.name == criteria["city_priority"]))
    if criteria.get("external_id"):
        conditions.append(known_elsewhere_as(criteria["external_id"], user))
    return conditions + facets.conditions(criteria)


# Additional-field headers that name a record elsewhere, without case, spaces, "_" or "-": its
# identity in another system, not a value (transfer.duplicates finds repeats by them too).
EXTERNAL_HEADERS = frozenset(
    {"portalidentifier", "inventoryid", "datasetid", "masterid", "id", "uid", "fourbyfour"}
)
PUBLIC_EXTERNAL = frozenset({"portalidentifier"})  # what data.json publishes anyway


def known_elsewhere_as(identifier: str, user):
    """Records that have `identifier` elsewhere: under one of EXTERNAL_HEADERS among their
    additional fields (only the portal's for the public, who see no additional fields)."""
    pairs = "json_each_text" if documents.dialect() == "postgresql" else "json_each"
    each = getattr(func, pairs)(Dataset.additional_fields).table_valued("key", "value")
    squashed = func.lower(each.c.key)
    for mark in (" ", "_", "-"):
        squashed = func.replace(squashed, mark, "")
    staff = user is not None and getattr(user, "is_authenticated", False)
    headers = EXTERNAL_HEADERS if staff else PUBLIC_EXTERNAL
    return exists(
        select(1)
        .select_from(each)
        .where(squashed.in_(sorted(headers)), func.lower(each.c.value) == identifier.lower())
    )


def _sort_order(sort: str, matches, *, by_id: bool = False) -> tuple:
    """Each order ends on the id, in the same direction, so pages never overlap and an index
    on (column, id) can serve it. `by_id`: the order's columns unindexed on SQLite, so that it
    finds a search's few matches by id and sorts them (_sorts_few_matches)."""
    if sort == "relevance" and matches is not None:
        # Among equals, the newest record first.
        return (matches.c.rank, matches.c.id.desc())
    return _ORDERS[by_id][sort]


def _orders(c) -> dict[str, tuple]:
    return {
        "relevance": (c(Dataset.updated_at).desc(), c(Dataset.id).desc()),
        "-updated": (c(Dataset.updated_at).desc(), c(Dataset.id).desc()),
        "updated": (c(Dataset.updated_at), c(Dataset.id)),
        "title": (c(Dataset.title), c(Dataset.id)),
        "-title": (c(Dataset.title).desc(), c(Dataset.id).desc()),
        "-created": (c(Dataset.id).desc(),),
        "-released": (c(Dataset.published_on).desc().nulls_last(), c(Dataset.id).desc()),
        "priority": (c(cursors.PRIORITY), c(Dataset.title), c(Dataset.id)),
    }


def _as_it_is(column):
    return column


# Built once (SQL expressions are immutable and shared by the statements that use them): built
# for each page, every order was made to use one.
_ORDERS = {False: _orders(_as_it_is), True: _orders(Unindexed)}


# Facet values in the order people expect: the workflow's, high before low, level 1 before 4.
FACET_ORDER = {
    "status": [str(state) for state in State],
    "release_priority": [rank.name for rank in PriorityRank],
    "classification": [str(level) for level in Classification],
}


def _in_facet_order(name: str, counts: dict[str, int], names: dict[str, str]) -> dict[str, int]:
    """Departments by name, themes alphabetically, the vocabularies in their own order."""
    if name in FACET_ORDER:
        order = FACET_ORDER[name]
        return dict(sorted(counts.items(), key=lambda item: order.index(item[0])))
    if name == "department":
        return dict(sorted(counts.items(), key=lambda item: names.get(item[0], item[0])))
    return dict(sorted(counts.items()))


# What decides the page but not the counts.
NOT_COUNTED = frozenset({"page", "per_page", "sort", "facets", "after"})


def find_datasets(
    user,
    criteria: dict[str, Any],
    facets: Iterable[str] = FACETS,
    *,
    brief: bool = False,
    counted: tuple[int, dict[str, dict[str, int]]] | None = None,
) -> SearchResult:
    """One page of the records the user may read that match, with the total and the facet
    counts asked for (the page shows them all; the API only those it is asked for). With
    `brief`, the page's items are briefs (datasets.dumps.Brief), not loaded records. With
    `counted`, the total and facet counts are known already (kept where they change, as the
    catalog's unfiltered counts are) and are not counted again.

    At most three queries whatever the size: the page, one count grouped by the facets asked
    for (which yields the total), and the theme counts if asked for.
    """
    wanted = [name for name in FACET_NAMES if name in set(facets)]
    terms = documents.search_terms(criteria.get("q"))
    conditions = _conditions(user, criteria)
    matches, complete = None, False
    if terms:
        settle()  # this transaction's own changes are in the documents searched
        exact = documents.title_key(criteria["q"])
        matches, complete = documents.matches(user, criteria, terms, exact=exact)

    def over_matches(query: Select, *, ranked: bool = False, found=None) -> Select:
        """The page joins the ranked matches; counts only need membership, and a semi-join
        keeps SQLite from re-running the full-text query once per candidate row. `found`: the
        matches' ids, read already."""
        if found is not None:  # on PostgreSQL alone: one array, not a parameter per id
            query = query.where(Dataset.id == any_(bindparam("found", found, ARRAY(Integer))))
        elif matches is not None and ranked:
            query = query.join(matches, matches.c.id == Dataset.id)
        elif matches is not None:
            query = query.where(Dataset.id.in_(select(matches.c.id)))
        return query.where(*conditions)

    sort = criteria.get("sort") or ("relevance" if terms else "-updated")
    page, per_page = criteria.get("page", 1), criteria.get("per_page", 25)
    if counted is not None:
        (total, result_facets), hidden = counted, 0
    else:
        total, result_facets, hidden = _kept_counts(
            user, criteria, wanted, matches, by_words=complete and not wanted, over=over_matches
        )
    first = matches is not None and _reads_matches_first(sort, total)
    by_id = matches is not None and _sorts_few_matches(sort, total)
    listed = _listed(sort, matches, complete, over_matches, brief=brief, first=first, by_id=by_id)
    if criteria.get("after"):
        listed = listed.where(cursors.after(criteria["after"], sort))
    else:
        listed = listed.offset((page - 1) * per_page)
    listed = listed.limit(per_page)
    items = _page_items(user, listed, total, searched=matches is not None, brief=brief)
    following = None
    if len(items) == per_page and sort in cursors.KEYSETS:
        following = cursors.next_cursor(items[-1], sort)
    return SearchResult(
        items=list(items),
        total=total,
        page=page,
        per_page=per_page,
        facets=result_facets,
        restricted_not_shown=hidden,
        next=following,
        suggestion=_suggestion(user, criteria, conditions, terms, total),
    )


def _kept_counts(user, criteria, wanted, matches, *, by_words: bool, over) -> tuple:
    """The total, the facet counts and the restricted not shown. They are the same for every
    reader of one visibility class: kept until what they count changes (registry.memo), so
    paging through a large result set counts it once. A total the engine counts alone
    (`by_words`) holds until a record's words or scope words change (SEARCHED: the common
    word's, counted again after each edit, was 62 to 100 ms of 300 on PostgreSQL)."""
    asked = tuple(sorted((k, v) for k, v in criteria.items() if k not in NOT_COUNTED))
    return remembered(
        ("facets", visibility_class(user), asked, tuple(wanted)),
        lambda: (
            _counted_by_words(user, criteria, matches)
            if by_words
            else _counts(user, criteria, wanted, over)
        ),
        over=SEARCHED if by_words else RECORDS,
    )


def _suggestion(
    user, criteria: dict[str, Any], conditions: list, terms: list[str], total: int
) -> str | None:
    """For a search that found nothing: the search, each unknown word replaced by the nearest
    known one (datasets.spelling), if it finds a record this reader may read (a word only
    other records hold is never shown)."""
    corrected = spelling.suggestion(terms) if terms and not total else None
    if corrected is None:
        return None
    found, complete = documents.matches(user, criteria, corrected)
    query = select(found.c.id)
    if not complete:
        query = select(Dataset.id).where(Dataset.id.in_(select(found.c.id)), *conditions)
    return " ".join(corrected) if db.session.scalar(query.limit(1)) is not None else None


def _reads_matches_first(sort: str, total: int) -> bool:
    """Whether a search's page in another order than relevance reads its matches' ids first,
    then the records among them in the order (on PostgreSQL, for few matches: its planner
    cannot tell few from many, and read records off the order's index until it had met them
    all: 1.1 s for a word 7 of 300,000 records hold), or checks the records read off the
    order's index against the matches, stopping after a page (many matches; and on SQLite
    always, which reads a set of ids once where a join asked the engine again for every
    record read: 2.3 s for a word in 557 of 300,000)."""
    few = total < current_app.config["SEARCH_PARALLEL_FROM"]
    return sort != "relevance" and few and documents.dialect() == "postgresql"


def _sorts_few_matches(sort: str, total: int) -> bool:
    """Whether SQLite is to read a search's few matches by id and sort them, for a page in
    another order than relevance: read off the order's index, it checked every record in scope
    against the matches until it had a page (20 ms for a word in a few hundred of 300,000
    records; 2 ms by id)."""
    few = total < current_app.config["SEARCH_PARALLEL_FROM"]
    return sort != "relevance" and few and documents.dialect() == "sqlite"


def _listed(
    sort: str, matches, complete: bool, over_matches, *, brief: bool, first: bool, by_id: bool
):
    """The page's query, in the sort's order."""
    if matches is not None and complete and sort == "relevance":
        # The scope words say all the conditions do: the engine ranks the page alone.
        return select(matches.c.id).order_by(*_sort_order(sort, matches))
    if matches is not None:
        # A search orders ids alone, then reads the page's records: one matching half the
        # inventory then sorts its matches' ranks, not their whole rows.
        found = list(db.session.scalars(select(matches.c.id))) if first else None
        listed = over_matches(select(Dataset.id), ranked=sort == "relevance", found=found)
        return listed.order_by(*_sort_order(sort, matches, by_id=by_id))
    # A listing read off an index in its order reads its page's rows directly.
    read = dumps.brief_select() if brief else select(Dataset)
    return over_matches(read).order_by(*_sort_order(sort, matches))


def _page_items(user, listed: Select, total: int, *, searched: bool, brief: bool) -> list:
    """The page's records (or briefs): a search's by the ids it ranked (each asked again, as
    loaded, whether the reader may read it, since the engine may have ranked them alone), a
    listing's read in its order."""
    if searched:
        ids = _search_page(listed, total)
        found = dumps.briefs_of(ids) if brief else _records(ids)
        reading = Reading(user)
        return [item for item in found if reading.may_read(item)]
    if brief:
        return dumps.briefs(listed)
    return db.session.scalars(listed.options(LIST_LOADING)).all()


def _search_page(listed: Select, total: int) -> list[int]:
    """The ids of a search's page. On PostgreSQL the planner is told how many records match
    (the settings SEARCH_PARALLEL_FROM and SEARCH_SORT_MEMORY, registry.config, say why)."""
    if documents.dialect() == "postgresql":
        # Until the request's transaction ends.
        if total < current_app.config["SEARCH_PARALLEL_FROM"]:
            db.session.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
        else:
            memory = current_app.config["SEARCH_SORT_MEMORY"]
            db.session.execute(
                text("SELECT set_config('work_mem', :memory, true)"), {"memory": memory}
            )
    return list(db.session.scalars(listed))


def _counted_by_words(user, criteria, matches) -> tuple[int, dict[str, dict[str, int]], int]:
    total = db.session.scalar(select(func.count()).select_from(matches))
    return total, {}, restricted_not_shown(user, criteria.get("department"))


def _counts(user, criteria, wanted, over_matches) -> tuple[int, dict[str, dict[str, int]], int]:
    """The total, the facet counts asked for, and the restricted records not shown."""
    total, result_facets = _grouped_counts(wanted, over_matches)
    if "theme" in wanted:
        result_facets["theme"] = facets.theme_counts(over_matches)
    for name in (name for name in wanted if name in facets.LISTED):
        result_facets[name] = facets.listed_counts(name, over_matches)
    return total, result_facets, restricted_not_shown(user, criteria.get("department"))


def _grouped_counts(wanted, over_matches) -> tuple[int, dict[str, dict[str, int]]]:
    """One count grouped by the record's own columns asked for: the total, and each facet's."""
    grouped_names = [name for name in wanted if name in GROUPED]
    grouped_by = [GROUPED[name] for name in grouped_names]
    grouped = db.session.execute(
        over_matches(select(*grouped_by, func.count()).select_from(Dataset)).group_by(*grouped_by)
    ).all()
    counted: dict[str, dict[str, int]] = {name: {} for name in grouped_names}
    names: dict[str, str] = {}
    if "department" in wanted:
        departments = db.session.execute(
            select(Department.id, Department.code, Department.name)
        ).all()
        codes = {row.id: row.code for row in departments}
        names = {row.code: row.name for row in departments}
    for row in grouped:
        for name, value in zip(grouped_names, row[:-1], strict=True):
            if value is None:  # a record without a license is under no license's count
                continue
            key = codes[value] if name == "department" else value
            counted[name][key] = counted[name].get(key, 0) + row[-1]
    in_order = {name: _in_facet_order(name, counts, names) for name, counts in counted.items()}
    return sum(row[-1] for row in grouped), in_order


# A list shows the steward's name and email: their roles and departments load only if
# something asks for them.
LIST_LOADING = defaultload(Dataset.steward).lazyload("*")


def _records(ids: list[int]) -> list[Dataset]:
    """The records of a page of ids, in its order."""
    if not ids:
        return []
    loaded = db.session.scalars(select(Dataset).where(Dataset.id.in_(ids)).options(LIST_LOADING))
    return in_order_of(ids, loaded)


def restricted_not_shown(user, department_code: str | None = None) -> int:
    """The aggregate in which restricted records this user may not read still appear.

    Only ever by department: a count that followed a search term or any other filter would
    reveal what a restricted record is about.
    """
    query = select(func.count(Dataset.id)).where(not_readable_restricted(user))
    if department_code:
        query = query.join(Department, Dataset.department_id == Department.id).where(
            Department.code == department_code
        )
    return db.session.scalar(query)
