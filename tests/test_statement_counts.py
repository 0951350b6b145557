"""No page issues more statements for more rows (no N+1 queries): each list, detail, dashboard
and queue page is counted with a few records and with three times as many, and the counts must
be the same."""

import pytest
from sqlalchemy import event

from registry.extensions import db
from registry.performance.services import report_value

PAGES = [
    "/datasets",  # the staff's list, read by an auditor (a visitor is sent to the catalog)
    "/catalog",
    "/inventory",
    "/queue",
    "/dashboard",
    "/requests",
    "/api/v1/requests",
    "/report",
    "/rounds/{round}",
    "/api/v1/datasets",
    "/api/v1/priorities",
    "/api/v1/stats/scorecard",
    "/feeds/released.atom",
    "/sitemap.xml",
    "/",
    "/performance",
    "/performance.csv",
    "/api/v1/measures",
    "/api/v1/rounds",
]
SIGNED_IN = {"/datasets"}


def statements(client, path: str) -> int:
    """The statements a page sends when it computes everything: answers kept until the
    inventory changes (registry.memo) are forgotten first, so the count is the worst case."""
    client.application.extensions.pop("registry_memo", None)
    counted = []

    def count(*_args):
        counted.append(1)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200, path
    return len(counted)


def add_records(make, count: int, department: str) -> None:
    coordinator = make.user("coordinator")
    for number in range(count):
        if number % 3 == 0:
            released = make.published(department, title=f"Released {department} {number}")
            # A measure of a city priority resting on it, with a value reported.
            measure = make.measure(
                department, datasets=[released.identifier], name=f"Measure {number}"
            )
            report_value(measure, {"period": "2026-01", "value": 40 + number}, actor=coordinator)
            db.session.commit()
        elif number % 3 == 1:
            make.approved(department, title=f"Approved {department} {number}")
        else:
            make.dataset(department=department, title=f"Draft {department} {number}")
        make.data_request(title=f"Request {department} {number}")


@pytest.mark.parametrize("path", PAGES)
def test_a_page_issues_as_many_statements_for_three_times_the_rows(client, make, sign_in, path):
    if path in SIGNED_IN:
        sign_in(make.user("auditor"))
    make.department(code="AA")
    make.department(code="BB")
    voting_round = make.voting_round()
    path = path.format(round=voting_round.id)
    add_records(make, 3, "AA")
    few = statements(client, path)
    add_records(make, 6, "BB")
    assert statements(client, path) == few


def test_an_edit_writes_as_many_rows_for_three_times_the_records(client, make):
    """A change moves only what it touches: the record, its version, its search document, its
    event, its queue score, its kind and the counts it leaves and joins, whatever the size."""
    from registry.datasets import services

    make.department(code="AA")
    make.department(code="BB")
    coordinator = make.user("coordinator")

    def edit_statements() -> tuple[int, int]:
        record = make.dataset(department="AA", release_priority="low")
        sent, written = [], []

        def count(_conn, _cursor, statement, *_args):
            sent.append(1)
            if not statement.lstrip().upper().startswith("SELECT"):
                written.append(statement.split()[0:3])

        engine = db.session.get_bind()
        event.listen(engine, "before_cursor_execute", count)
        try:
            services.update_dataset(
                record,
                {"release_priority": "high", "title": "Edited"},
                actor=coordinator,
                expected_version=record.version,
            )
            db.session.commit()
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(sent), len(written)

    add_records(make, 3, "AA")
    few = edit_statements()
    add_records(make, 9, "BB")
    assert edit_statements() == few
