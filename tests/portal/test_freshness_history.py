"""Freshness as of any day, on the public dashboard, its API and its CSV: every change a portal
showed of a record is kept, so its last change as of a day is the latest up to that day, judged
against the update frequency the record had then. Worked by hand below (T is today)."""

import csv
import io
from datetime import UTC, datetime, time, timedelta

import pytest
from openpyxl import load_workbook

from registry.cli_support import CommandLineOperator
from registry.datasets.queries import Scope
from registry.db import clock_at, utctoday
from registry.extensions import db
from registry.portal.models import PortalUpdate
from registry.portal.reconcile import add_source, check_source
from registry.reviews.rereview import edit_dataset
from registry.transfer.exports import ExportRequest, produce


def _listed(record, modified):
    return {
        "identifier": record.identifier,
        "title": record.title,
        "description": record.description,
        "modified": modified.isoformat(),
        "publisher": {"name": record.department.name},
    }


@pytest.fixture
def days(make, portal):
    """Three monthly records released 120 days ago (Street Trees and Budget monthly, Potholes
    weekly); the portal read twice: first showing changes on T-75, T-20 and T-70, then on T-40,
    T-3 and T-70; Budget's frequency changed to every two months on T-10."""
    today = utctoday()
    make.department(code="PW", name="Public Works")
    make.department(code="FIN", name="Finance")
    with clock_at(datetime.combine(today - timedelta(days=120), time(12), UTC)):
        trees = make.published("PW", title="Street Trees", update_frequency="R/P1M")
        potholes = make.published("PW", title="Potholes", update_frequency="R/P1W")
        budget = make.published("FIN", title="Budget", update_frequency="R/P1M")
    coordinator = make.user("coordinator")
    source = add_source(
        {"kind": "datajson", "url": portal.base + "/data.json", "allow_private": True},
        actor=coordinator,
    )
    for ages in ((75, 20, 70), (40, 3, 70)):
        portal.datasets = [
            _listed(record, today - timedelta(days=age))
            for record, age in zip((trees, potholes, budget), ages, strict=True)
        ]
        assert check_source(source, actor=coordinator) is None
        db.session.commit()
    with clock_at(datetime.combine(today - timedelta(days=10), time(12), UTC)):
        edit_dataset(
            budget,
            {"update_frequency": "R/P2M"},
            actor=coordinator,
            expected_version=budget.version,
        )
        db.session.commit()
    return today


def _rows(client, days_ago):
    args = {"as_of": (utctoday() - timedelta(days=days_ago)).isoformat()} if days_ago else {}
    return client.get("/api/v1/stats/freshness", query_string=args).get_json()["rows"]


def test_every_change_a_portal_showed_is_kept(days):
    assert db.session.query(PortalUpdate).count() == 5  # T-75, T-40; T-20, T-3; T-70


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [
        # Now: Trees 40 days old, monthly (31 + 7 grace): overdue, 9 late; Potholes 3 days, on
        # time; Budget 70 days, every two months (62 + 15): due, on time.
        (0, [["Finance", 1, 1.0, None], ["Public Works", 2, 0.5, 9]]),
        # T-30: Trees' last change T-40, 10 days: on time; Potholes not yet shown by a portal;
        # Budget still monthly then, 40 days: overdue, 9 late.
        (30, [["Finance", 1, 0.0, 9], ["Public Works", 1, 1.0, None]]),
        # T-50: Trees T-75, 25 days, and Budget T-70, 20 days: both on time.
        (50, [["Finance", 1, 1.0, None], ["Public Works", 1, 1.0, None]]),
        # T-80: no portal had shown a change of any of them.
        (80, []),
    ],
)
def test_the_dashboard_judges_freshness_as_of_any_day(client, days, days_ago, expected):
    assert _rows(client, days_ago) == expected


def test_the_page_and_the_csv_show_it(client, days):
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-figure="freshness"' in page and "Released data kept up to date" in page
    assert "50%" in page
    empty = client.get(
        "/dashboard", query_string={"as_of": (days - timedelta(days=80)).isoformat()}
    ).get_data(as_text=True)
    assert "No released dataset with an update frequency was on a portal" in empty
    rows = list(
        csv.reader(io.StringIO(client.get("/stats/freshness.csv").get_data(True).lstrip("\ufeff")))
    )
    assert rows[0] == ["Department", "Datasets judged", "On time", "Median days late"]


def _exported(fmt, as_of=None):
    produced = produce(ExportRequest(fmt, Scope.FULL, None, as_of), CommandLineOperator())
    return produced.file.read()


@pytest.mark.parametrize(
    ("days_ago", "expected"),
    [
        (
            None,
            {
                "Street Trees": ("no", "9"),
                "Potholes": ("yes", "0"),
                "Budget": ("yes", "8"),  # due: 70 days against 62, within the grace
            },
        ),
        (30, {"Street Trees": ("yes", "0"), "Potholes": ("", ""), "Budget": ("no", "9")}),
    ],
)
def test_the_spreadsheets_say_on_time_and_days_late_as_of_their_day(days, days_ago, expected):
    as_of = days - timedelta(days=days_ago) if days_ago else None
    text = _exported("csv", as_of).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["Title"]: (row["On time"], row["Days late"]) for row in rows} == expected
    book = load_workbook(io.BytesIO(_exported("xlsx", as_of)), read_only=True)
    # (a row's empty cells at its end are not written: padded back here)
    sheet = [row + (None,) * 80 for row in book["Inventory"].values]
    header = list(sheet[0])
    title, on_time, late = (header.index(name) for name in ("Title", "On time", "Days late"))
    cells = {
        row[title]: (row[on_time] or "", "" if row[late] is None else str(row[late]))
        for row in sheet[1:]
    }
    assert cells == {
        name: (judged, late_days if judged else "")
        for name, (judged, late_days) in expected.items()
    }
