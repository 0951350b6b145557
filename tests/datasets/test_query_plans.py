"""The listing and search queries use their indexes, on the database the suite runs on: the
page query of a department listing, of the default listing and of a full-text search is read
with EXPLAIN and must not scan the datasets table row by row; the listings a visitor reads
(everything published, or one department's) must also come off an index in their order, so a
page stops after its rows instead of sorting every match. (PostgreSQL is asked with sequential
scans and sorts switched off, so that a tiny test table still shows which index can serve.)"""

from datetime import timedelta

import pytest
from flask import current_app
from flask_login import AnonymousUserMixin
from sqlalchemy import event

from registry.dashboard import stats
from registry.datasets import cursors, search
from registry.datasets.listing_schemas import DatasetQuery
from registry.db import utctoday
from registry.extensions import db
from registry.reviews.work import work_queues


def statements_sent(call) -> tuple[object, list[tuple[str, object]]]:
    """What `call()` returns, and the SQL and parameters of every statement it sent."""
    sent = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", keep)
    try:
        result = call()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return result, sent


def page_query(criteria: dict, brief: bool = False, reader=None) -> tuple[str, object]:
    """The SQL and parameters of the page query find_datasets sends (the first, LIMITed one),
    reading records (the HTML list) or briefs (the API), for a visitor or `reader`."""
    criteria = DatasetQuery().load(criteria)
    reader = reader or AnonymousUserMixin()
    _, sent = statements_sent(
        lambda: search.find_datasets(reader, criteria, facets=(), brief=brief)
    )
    return next((sql, params) for sql, params in sent if "LIMIT" in sql.upper())


def plan(sql: str, params) -> str:
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        connection.exec_driver_sql("SET LOCAL enable_sort = off")
        rows = connection.exec_driver_sql(f"EXPLAIN {sql}", params).all()
    else:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
    return "\n".join(str(row[-1]) for row in rows)


def full_scans_of_datasets(text: str) -> list[str]:
    lines = text.splitlines()
    if db.session.get_bind().dialect.name == "postgresql":
        return [line for line in lines if "Seq Scan on datasets" in line]
    return [line for line in lines if line.strip() == "SCAN datasets"]


def sorts(text: str) -> list[str]:
    """The steps that sort rows the index did not give in order."""
    lines = text.splitlines()
    if db.session.get_bind().dialect.name == "postgresql":
        return [line for line in lines if line.strip().startswith(("Sort ", "->  Sort "))]
    return [line for line in lines if "TEMP B-TREE FOR ORDER BY" in line]


@pytest.mark.parametrize(
    "criteria",
    [{}, {"department": "PW"}, {"q": "trees"}, {"sort": "title"}],
    ids=["default", "department", "search", "by-title"],
)
@pytest.mark.parametrize("brief", [False, True], ids=["records", "briefs"])
def test_the_listing_and_search_use_their_indexes(make, criteria, brief):
    make.department(code="PW")
    for number in range(5):
        make.dataset(department="PW", title=f"Street trees {number}")
    assert full_scans_of_datasets(plan(*page_query(criteria, brief))) == []


@pytest.mark.parametrize("sort", ["-updated", "title"])
def test_a_page_after_a_cursor_is_read_off_the_index(make, sort):
    make.department(code="PW")
    records = [make.dataset(department="PW", title=f"Street trees {n}") for n in range(5)]
    cursor = cursors.next_cursor(records[2], sort)
    sql, params = page_query({"sort": sort, "after": cursor})
    assert full_scans_of_datasets(plan(sql, params)) == []


@pytest.mark.parametrize(
    "criteria",
    [
        {},
        {"sort": "title"},
        {"sort": "-title"},
        {"department": "PW"},
        {"department": "PW", "sort": "title"},
        {"department": "PW", "status": "published", "sort": "title"},
    ],
    ids=["recent", "by-title", "by-title-reversed", "department", "department-title", "filtered"],
)
@pytest.mark.parametrize("brief", [False, True], ids=["records", "briefs"])
def test_a_visitors_listing_is_read_in_its_order_without_sorting(make, criteria, brief):
    make.department(code="PW")
    for number in range(5):
        make.dataset(department="PW", title=f"Street trees {number}")
    text = plan(*page_query(criteria, brief))
    assert full_scans_of_datasets(text) == []
    assert sorts(text) == [], text


@pytest.mark.parametrize("sort", ["-updated", "title", "-title"])
@pytest.mark.parametrize("brief", [False, True], ids=["records", "briefs"])
def test_a_visitors_deep_page_is_read_in_its_order_without_sorting(make, sort, brief):
    make.department(code="PW")
    records = [make.dataset(department="PW", title=f"Street trees {n}") for n in range(5)]
    after = {"sort": sort, "after": cursors.next_cursor(records[2], sort)}
    text = plan(*page_query(after, brief))
    assert full_scans_of_datasets(text) == []
    assert sorts(text) == [], text


def test_the_overdue_releases_are_found_off_an_index(make):
    make.department(code="PW")
    make.approved("PW", target=utctoday() - timedelta(days=3))
    coordinator = make.user("coordinator")
    (total, shown), sent = statements_sent(lambda: stats.overdue_for(coordinator, utctoday()))
    assert (total, len(shown)) == (1, 1)
    asked = [(sql, params) for sql, params in sent if "release_target_date <" in sql]
    assert len(asked) == 2  # the count and the list
    for sql, params in asked:
        text = plan(sql, params)
        assert full_scans_of_datasets(text) == [], text
        # The index is searched by the target date too, not only by status.
        assert "release_target_date" in text, text


def test_the_records_due_for_rereview_are_found_by_the_day_they_were_approved(make):
    """Most decided records can be due; the index by approval day finds the first of them in
    order and counts the rest, where one by status would read every decided record (SQLite,
    without statistics, picked that one until told not to: db.Unindexed)."""
    record = make.approved(target=utctoday() + timedelta(days=30))
    record.approved_on = utctoday() - timedelta(days=800)
    db.session.commit()
    (queues, sent) = statements_sent(lambda: work_queues(make.user("coordinator")))
    assert [r.id for r in queues["due_for_rereview"]] == [record.id]
    asked = [(sql, params) for sql, params in sent if "approved_on <" in sql]
    assert len(asked) == 2  # the count and the list
    for sql, params in asked:
        text = plan(sql, params)
        assert full_scans_of_datasets(text) == [], text
        assert "approved_on" in text, text
        assert "published_on" not in text, text


def test_a_stewards_work_lists_are_read_off_their_own_indexes(make):
    """What an import left for a department, and its records in re-review, are few among
    many: each list is read (and counted) off its partial index, not the department's."""
    make.department(code="PW")
    steward = make.user("steward", departments=["PW"])
    _, sent = statements_sent(lambda: work_queues(steward))
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    for marker, index in (
        ("CAST(datasets.attention", "ix_datasets_needing_attention"),
        ("proposed_governance IS NOT NULL", "ix_datasets_in_rereview"),
    ):
        asked = [(sql, params) for sql, params in sent if marker in sql]
        assert len(asked) == 2, marker  # the count and the list
        for sql, params in asked:
            text = plan(sql, params)
            assert full_scans_of_datasets(text) == [], text
            if sqlite:
                assert index in text, text


@pytest.mark.parametrize("role", ["steward", "coordinator"])
def test_the_records_late_on_a_portal_are_found_off_the_portals_index(make, role):
    """Few records are late on a portal among the published: a work list reads them off the
    index of when each portal dataset turns late, then each record by id (SQLite had read every
    published record of the department and looked for its portal entries: 680 ms at 300,000)."""
    make.department(code="PW")
    reader = make.user(role, departments=["PW"]) if role == "steward" else make.user(role)
    _, sent = statements_sent(lambda: work_queues(reader))
    asked = [(sql, params) for sql, params in sent if "portal_entries.late_from" in sql]
    assert len(asked) == 2, sent  # the count and the list
    for sql, params in asked:
        text = plan(sql, params)
        assert full_scans_of_datasets(text) == [], text
        if db.session.get_bind().dialect.name == "sqlite":
            assert "ix_portal_entries_late_from" in text, text
            assert "ix_datasets_status" not in text and "ix_datasets_department" not in text, text


def test_each_part_of_a_work_list_is_read_off_the_index_in_its_order(make):
    """Approved records dated from today and undated ones, for the coordinator; each part's
    page and count come off the index of records by state and target date, in order."""
    make.approved(target=utctoday() + timedelta(days=3))
    _, sent = statements_sent(lambda: work_queues(make.user("coordinator")))
    asked = [(sql, params) for sql, params in sent if "release_target_date IS NULL" in sql]
    assert len(asked) == 2, sent  # the count and the list
    for sql, params in asked:
        text = plan(sql, params)
        assert full_scans_of_datasets(text) == [], text


@pytest.mark.parametrize("matched_few", [True, False], ids=["few-matches", "many-matches"])
def test_a_search_is_planned_for_the_size_of_its_match_set_on_postgresql(
    make, monkeypatch, matched_few
):
    """PostgreSQL guesses the same share of matches for every word prefix, so the page query
    of a search is told what the (kept) total says: few matches start no parallel workers,
    many get room to sort their ranks in memory."""
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("parallel workers and sort memory are PostgreSQL's")
    make.department(code="PW")
    for number in range(3):
        make.published("PW", title=f"Street trees {number}")
    monkeypatch.setitem(current_app.config, "SEARCH_PARALLEL_FROM", 10 if matched_few else 2)
    criteria = DatasetQuery().load({"q": "trees"})
    result, sent = statements_sent(
        lambda: search.find_datasets(AnonymousUserMixin(), criteria, facets=())
    )
    told = [sql for sql, _ in sent if sql.startswith("SET LOCAL") or "set_config" in sql]
    assert result.total == 3 and len(result.items) == 3
    assert len(told) == 1
    connection = db.session.connection()
    workers = connection.exec_driver_sql("SHOW max_parallel_workers_per_gather").scalar()
    memory = connection.exec_driver_sql("SHOW work_mem").scalar()
    if matched_few:
        assert workers == "0" and memory != current_app.config["SEARCH_SORT_MEMORY"]
    else:
        assert workers != "0" and memory == current_app.config["SEARCH_SORT_MEMORY"]


def test_the_restricted_level_by_release_is_read_off_its_own_index_on_sqlite(make):
    """Read off the general index of the release order, the restricted came after every
    released record (380 ms for a coordinator's first page at 300,000 records on SQLite)."""
    make.department(code="PW")
    for number in range(3):
        make.dataset(department="PW", title=f"Informants {number}", classification="restricted")
    coordinator = make.user("coordinator")
    criteria = {"classification": "restricted", "sort": "-released"}
    text = plan(*page_query(criteria, brief=True, reader=coordinator))
    assert full_scans_of_datasets(text) == [] and sorts(text) == [], text
    if db.session.get_bind().dialect.name == "sqlite":
        assert "ix_datasets_restricted_released" in text, text
    else:
        assert "ix_datasets_classification_released" in text, text


@pytest.mark.parametrize("sort", ["title", "-updated", "-released", "priority"])
def test_a_search_with_few_matches_in_another_order_reads_them_by_id_on_sqlite(make, sort):
    """A word few records hold, in an order other than relevance: SQLite finds its matches by
    id and sorts them, where it had read every record in scope off the order's index and
    checked each against the matches (20 ms for a word in a few hundred of 300,000 records)."""
    if db.session.get_bind().dialect.name != "sqlite":
        pytest.skip("PostgreSQL reads few matches' ids first (_reads_matches_first)")
    make.department(code="PW")
    for number in range(3):
        make.published("PW", title=f"Hydrant flushing {number}")
    criteria = DatasetQuery().load({"q": "hydrant", "sort": sort})
    found, sent = statements_sent(
        lambda: search.find_datasets(AnonymousUserMixin(), criteria, facets=(), brief=True)
    )
    assert found.total == 3
    page = next(sql for sql, _ in sent if "LIMIT" in sql.upper() and "FROM datasets" in sql)
    text = plan(page, next(params for sql, params in sent if sql == page))
    assert full_scans_of_datasets(text) == [], text
    assert "id=?" in text or "rowid=?" in text, text
