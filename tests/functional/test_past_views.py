"""Today's restrictions govern every view of the past: a record restricted since appears, in any
page, file or API answer as of any date, only to those who may read it today (and otherwise at
most in the restricted counts). A crawl as every role, before and after the restriction."""

import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.datasets import services as datasets
from registry.datasets.models import DatasetVersion
from registry.db import utctoday
from registry.extensions import db
from registry.priorities import rounds
from registry.reviews import services as reviews
from tests.functional.test_leaks import RESTRICT, as_

TITLE = "Quillfeather Clinic Visits"
DAYS_BACK = 400  # into last year: the past year's report reads it


@pytest.fixture
def committee(make):
    return [make.user("committee", chair=(number == 0)) for number in range(5)]


@pytest.fixture
def city(make, committee):
    """An approved record (in the plan, voted for in a closed round) and a published one, both
    public and registered long ago; then both restricted through a re-review today."""
    make.department(code="HD")
    make.department(code="PW")
    planned = make.approved("HD", title=TITLE, target=utctoday() - timedelta(days=300))
    released = make.published("HD", title=f"{TITLE} Map")
    stakeholder = make.user("stakeholder")
    voting = make.voting_round()
    rounds.set_votes(voting, planned.identifier, {"votes": 2}, actor=stakeholder)
    rounds.close_round(voting, actor=make.user("coordinator"))
    for version in db.session.scalars(select(DatasetVersion)):
        version.changed_at -= timedelta(days=DAYS_BACK)
    db.session.commit()
    readers = {
        "public": None,
        "stakeholder": stakeholder,
        "other steward": make.user("steward", departments=["PW"]),
        "own steward": planned.steward,
        "auditor": make.user("auditor"),
    }
    return {"records": [planned, released], "readers": readers, "committee": committee}


def restrict(city):
    for record in city["records"]:
        datasets.update_dataset(
            record, {**RESTRICT, "version": record.version}, actor=record.steward
        )
        for member in city["committee"]:
            if reviews.can_vote(member, record):
                reviews.cast_vote(record, {"vote": "approve", "rationale": "Yes."}, actor=member)
    db.session.commit()
    assert {record.classification for record in city["records"]} == {"restricted"}


def urls(city) -> list[str]:
    today = utctoday()
    last_year = today.year - 1
    days = [today - timedelta(days=n) for n in (DAYS_BACK - 10, 200, 30)]
    found = [
        "/",
        "/catalog",
        "/inventory",
        "/data.json",
        "/datasets",
        "/rounds",
        "/queue",
        "/requests",
        "/feeds/released.atom",
        "/feeds/departments/HD.atom",
        "/api/v1/datasets?per_page=100",
        "/api/v1/rounds",
        "/api/v1/priorities",
        f"/report?year={last_year}",
        f"/report.csv?year={last_year}",
        f"/report.xlsx?year={last_year}",
        "/report",
        "/report.csv",
        "/dashboard",
    ]
    for day in days:
        for scope in ("inventory", "approved", "public"):
            found.append(f"/exports/inventory.csv?scope={scope}&as_of={day}")
        found.append(f"/exports/inventory.xlsx?scope=inventory&as_of={day}")
        found.append(f"/exports/data.json?as_of={day}")
        found.append(f"/dashboard?as_of={day}")
    for record in city["records"]:
        found += [
            f"/datasets/{record.identifier}",
            f"/datasets/{record.identifier}/history",
            f"/catalog/{record.identifier}",
            f"/api/v1/datasets/{record.identifier}",
            f"/api/v1/datasets/{record.identifier}/history",
        ]
    return found


def text_of(response) -> str:
    data = response.get_data()
    if data[:2] == b"PK":  # a workbook: its strings and cells
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml")
            )
    return data.decode("utf-8", "replace")


def crawl(client, city, reader) -> list[str]:
    """The URLs whose answer names either record (by title or identifier)."""
    client = as_(client, reader)
    marks = [TITLE] + [record.identifier for record in city["records"]]
    naming = []
    for url in urls(city):
        response = client.get(url)
        assert response.status_code < 500, url
        if any(mark in text_of(response) for mark in marks):
            naming.append(url)
    return naming


@pytest.mark.parametrize("who", ["public", "stakeholder", "other steward"])
def test_a_record_restricted_since_appears_in_no_view_of_the_past(client, city, who):
    before = crawl(client, city, city["readers"][who])
    restrict(city)
    after = crawl(client, city, city["readers"][who])
    assert before and after == []


@pytest.mark.parametrize("who", ["own steward", "auditor"])
def test_those_who_may_read_it_today_still_see_its_past(client, city, who):
    restrict(city)
    named = crawl(client, city, city["readers"][who])
    assert any("as_of" in url for url in named) and any("history" in url for url in named)
