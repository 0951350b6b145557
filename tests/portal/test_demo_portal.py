"""The demo city's portal reading (registry/demo/portal.py), its drift and freshness worked by
hand and compared with what /portal, the drift API, the dashboard and the export say.

By hand: the demo releases 41 records; 6 are updated irregularly (Boards and Commissions
Membership, Combined Sewer Overflows, Overdose Responses, Playground Inspections, Recreation
Center Hours, Smoke Alarm Installations), so 35 have a rhythm; 2 of those are gone from the
portal (Demolition Permits, yearly; Bond Issuances, quarterly): 33 judged. Each changed on the
portal a day before the reading unless said otherwise:

| record | every | changed | state | days late |
| --- | --- | --- | --- | --- |
| Building Permits | day (1 + 1) | 5 days before | delinquent (past 3) | 4 |
| Bike Lane Network | week (7 + 1) | 12 | overdue (past 8) | 5 |
| Vaccination Clinic Locations | month (31 + 7) | 45 | overdue (past 38) | 14 |
| Trail Network | quarter (92 + 23) | 100 | due (within 115): on time | 8 |
| Building Footprints | year (366 + 91) | 900 | delinquent (past 823) | 534 |
| Vendor Payments | week | 3 | fresh | 0 |
| Solid Waste Collection Tonnage | week | 2 | fresh | 0 |

So 4 late of 33, 29 on time. Planning and Development holds Building Permits and Building
Footprints (both late: median 269 days), Transportation Bike Lane Network (5), Public Health
Vaccination Clinic Locations (14)."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.db import utctoday
from registry.extensions import db
from registry.portal.drift import drift
from registry.portal.models import PortalSource

pytestmark = pytest.mark.own_database

LATE = {
    "Building Permits": ("delinquent", 4),
    "Bike Lane Network": ("overdue", 5),
    "Vaccination Clinic Locations": ("overdue", 14),
    "Building Footprints": ("delinquent", 534),
}


@pytest.fixture(scope="module")
def said(demo_app):
    """What the registry says of the demo portal: the drift, the page, the API, the dashboard's
    freshness figure, and the days since the reading (0 unless the day turned meanwhile)."""
    with demo_app.app_context():
        found = drift()
        source = db.session.scalar(select(PortalSource))
        since = (utctoday() - source.last_good_at.date()).days
        client = demo_app.test_client()
        client.post(
            "/sign-in",
            data={"email": "coordinator@riverton.example", "password": "open-data-lead-2026"},
        )
        page = client.get("/portal").get_data(as_text=True)
        api = client.get("/api/v1/portal/drift").get_json()
        figure = client.get("/api/v1/stats/freshness").get_json()
        exported = client.get("/exports/inventory.csv?scope=public")
        summary = {
            "elsewhere": sorted(entry.title for entry in found.elsewhere),
            "unreleased": [entry.dataset.title for entry in found.unreleased],
            "missing": sorted(record.title for record in found.missing),
            "differs": sorted((e.dataset.title, tuple(f)) for e, f in found.differs),
            "uncertain": [entry.dataset.title for entry in found.uncertain],
            "judged": len(found.fresh),
            "late": {
                i.record.title: (i.freshness.state, i.freshness.days_late) for i in found.late
            },
            "broken": sorted(entry.dataset.title for entry in found.broken),
            "trail": next(i.freshness for i in found.fresh if i.record.title == "Trail Network"),
        }
        db.session.rollback()
    return summary, page, api, figure, exported, since


def test_the_drift_is_what_was_worked_by_hand(said):
    summary, _, _, _, _, since = said
    assert summary["elsewhere"] == ["Library Wi-Fi Sessions", "Street Furniture Inventory"]
    assert summary["unreleased"] == ["Pothole Repair Requests"]
    assert summary["missing"] == ["Bond Issuances", "Demolition Permits"]
    assert summary["differs"] == [
        ("Comprehensive Plan Land Use", ("title",)),
        ("Hydrant Flushing Schedule", ("license",)),
        ("Pothole Repair Requests", ("description",)),  # the portal's own words
    ]
    # by title alone, both
    assert summary["uncertain"] == ["Library Collection Catalog", "Pothole Repair Requests"]
    assert summary["judged"] == 33
    if since == 0:
        assert summary["late"] == LATE
        assert (summary["trail"].state, summary["trail"].days_late) == ("due", 8)
    assert summary["broken"] == ["Audit Findings", "Bike Lane Network"]


def test_the_page_and_the_api_say_the_same(said):
    summary, page, api, _, _, since = said
    assert "Released on a portal, not in the registry</a>: 2" in page
    assert "On a portal, not released in the registry</a>: 1" in page
    assert "Published in the registry, on no portal</a>: 2" in page
    assert "Described differently</a>: 3" in page
    assert "Matches to confirm</a>: 2" in page
    assert "Links that answer an error</a>: 2" in page
    assert "Not updated as often as they say</a>: 4 of 33" in page
    assert sorted(item["title"] for item in api["released_elsewhere"]) == summary["elsewhere"]
    assert sorted(item["title"] for item in api["missing_from_portal"]) == summary["missing"]
    assert [item["title"] for item in api["released_before_its_review"]] == summary["unreleased"]
    assert len(api["freshness"]) == 33
    late = {
        item["title"]: (item["state"], item["days_late"])
        for item in api["freshness"]
        if not item["on_time"]
    }
    if since == 0:
        assert late == LATE


def test_the_dashboard_and_the_export_count_alike(said):
    _, _, _, figure, exported, since = said
    rows = {row[0]: row[1:] for row in figure["rows"]}
    assert sum(judged for judged, _, _ in rows.values()) == 33
    if since == 0:
        assert rows["Planning and Development"][2] == 269  # the median of 4 and 534
        assert rows["Transportation"][2] == 5 and rows["Public Health"][2] == 14
    text = exported.get_data(as_text=True).lstrip("\ufeff")
    lines = list(csv.DictReader(io.StringIO(text)))
    judged = [line for line in lines if line["On time"]]
    assert len(judged) == sum(1 for line in lines if line["On time"] in ("yes", "no"))
    late = {line["Title"] for line in judged if line["On time"] == "no"}
    public_late = {title for title in LATE if any(line["Title"] == title for line in lines)}
    assert late == public_late


def test_the_reading_is_dated_the_day_the_demo_was_loaded(demo_app):
    with demo_app.app_context():
        source = db.session.scalar(select(PortalSource))
        assert source.last_good_at.date() >= utctoday() - timedelta(days=1)
        db.session.rollback()
