"""The dashboard's figures against a small history counted by hand: records registered, approved
and released at known moments (the clock set back), read now and as of days in between."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from registry.dashboard import stats
from registry.db import clock_at, utcnow
from registry.extensions import db
from registry.reviews.services import perform_transition
from tests import factories

CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"
JAN, MAR, JUN = (datetime(2025, month, 15, 12, tzinfo=UTC) for month in (1, 3, 6))


def figure(client, name, **args):
    return client.get(f"/api/v1/stats/{name}", query_string=args).json


@pytest.fixture
def history(make):
    """PW registers two records in January and releases one in March, on time, and one in
    June, late; FIN holds a restricted record and an approved one past its target date."""
    make.department(code="PW", name="Public Works")
    make.department(code="FIN", name="Finance")
    with clock_at(JAN):
        on_time = make.approved("PW", target=date(2025, 4, 1), title="Street trees", license=CC0)
        late = make.approved("PW", target=date(2025, 5, 1), title="Potholes")
        make.dataset(department="FIN", classification="restricted", title="Payroll")
        make.approved("FIN", target=date(2025, 2, 1), title="Budget")
    coordinator = make.user("coordinator")
    for record, moment in ((on_time, MAR), (late, JUN)):
        with clock_at(moment):
            perform_transition(
                record,
                {"action": "publish", "landing_page": "https://data.city.example/x"},
                actor=coordinator,
            )
    db.session.commit()
    return {"on_time": on_time, "late": late}


def test_the_inventory_by_department_and_level(client, history):
    body = figure(client, "inventory")
    assert body["columns"] == [
        "Department",
        "1 · Public",
        "2 · Internal",
        "3 · Sensitive",
        "4 · Restricted",
        "Total",
    ]
    assert body["rows"] == [["Finance", 1, 0, 0, 1, 2], ["Public Works", 2, 0, 0, 0, 2]]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # (released on time, released late, overdue then, approved and not yet due)
        ("2025-01-31", [0, 0, 0, 3]),
        ("2025-03-31", [1, 0, 1, 1]),
        ("2025-05-31", [1, 0, 2, 0]),
        (None, [1, 1, 1, 0]),
    ],
)
def test_release_timeliness_as_of_each_day(client, history, as_of, expected):
    body = figure(client, "timeliness", **({"as_of": as_of} if as_of else {}))
    assert [row[1] for row in body["rows"]] == expected


def test_the_funnel_as_it_stood(client, history):
    body = figure(client, "funnel", as_of="2025-04-30")
    counts = dict(body["rows"])
    assert (counts["Draft"], counts["Approved"], counts["Published"]) == (1, 2, 1)


def test_cumulative_releases_by_month(client, history):
    rows = dict(figure(client, "releases")["rows"])
    assert (rows["2025-02"], rows["2025-03"], rows["2025-05"], rows["2025-06"]) == (0, 1, 1, 2)


def test_the_scorecard_for_a_department(client, history):
    rows = {row[0]: row[1:] for row in figure(client, "scorecard", as_of="2025-12-31")["rows"]}
    # Public Works: 2 records, one with a license and so complete, both published, one of two
    # on time, both changed within the year; no requests were planned into them.
    assert rows["Public Works"] == [2, 0.5, 1.0, 0.5, 1.0, None]


def test_released_datasets_per_city_priority(client, make):
    make.city_priority("Safe neighbourhoods")
    make.published(city_priorities=["Safe neighbourhoods"])
    make.dataset(city_priorities=["Safe neighbourhoods"])  # a draft does not count
    assert figure(client, "city-priorities")["rows"] == [["Safe neighbourhoods", 1]]


def test_the_stakeholders_top_priorities_are_the_last_closed_rounds(client, make):
    record = make.dataset(title="Tree canopy")
    voting_round = make.voting_round()
    client.put(
        f"/api/v1/rounds/{voting_round.id}/votes/{record.identifier}",
        json={"votes": 2},
        headers={"Authorization": f"Bearer {factories.token(make.user('stakeholder')).secret}"},
    )
    assert figure(client, "stakeholder-priorities")["rows"] == []  # still open
    voting_round.closes_at = utcnow() - timedelta(seconds=1)
    voting_round.opens_at = utcnow() - timedelta(days=1)
    db.session.commit()
    assert figure(client, "stakeholder-priorities")["rows"] == [["Tree canopy", 2]]


def test_requests_against_the_clocks(client, make):
    late = make.data_request()
    late.created_at = utcnow() - timedelta(days=20)
    make.data_request()
    db.session.commit()
    rows = dict(figure(client, "requests")["rows"])
    assert (rows["Overdue now"], rows["Within the deadlines"]) == (1, 1)


def test_a_day_still_to_come_is_refused(client):
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    response = client.get("/api/v1/stats/funnel", query_string={"as_of": tomorrow})
    assert response.status_code == 422 and "as_of" in response.json["errors"]


def test_the_csv_is_the_figure_and_no_cell_starts_a_formula(client, make):
    make.department(code="EV", name="=HYPERLINK(1)")
    make.dataset(department="EV")
    text = client.get("/stats/inventory.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "'=HYPERLINK(1)" and rows[1][1:] == ["1", "0", "0", "0", "1"]


def test_the_page_shows_every_figure_with_its_table(client, history):
    page = client.get("/dashboard").get_data(as_text=True)
    for name in stats.FIGURES:
        assert f'data-figure="{name}"' in page
    assert (
        page.count('role="img"') == len(stats.FIGURES) - 2
    )  # the scorecard and freshness are tables


def test_a_change_committed_after_a_pages_now_is_part_of_it(make, monkeypatch):
    """A page's now is when its request began: a colleague's change committed a few
    milliseconds later is read as part of the present (what the counts kept say), never as a
    future that sends the page to rebuild every record from its versions (53 s at 300,000
    records on PostgreSQL, once in a few hundred pages while people wrote). A moment over a
    minute old is the past, read as it stood."""
    from registry.dashboard import tally
    from registry.datasets import services as datasets
    from registry.datasets.queries import is_current

    record = make.dataset()
    now = utcnow()
    datasets.update_dataset(
        record, {"title": "Renamed"}, actor=make.user("coordinator"), expected_version=1
    )
    db.session.commit()
    assert record.updated_at > now and is_current(now)
    calls = []
    monkeypatch.setattr(tally, "_live", lambda moment: calls.append("live"))
    monkeypatch.setattr(tally, "_as_of", lambda moment: calls.append("as of"))
    tally.tally(now)
    tally.tally(now - timedelta(minutes=2))
    assert calls == ["live", "as of"]
