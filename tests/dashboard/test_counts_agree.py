"""Every count of the released datasets agrees (dashboard.counts.is_released): the home page,
the dashboard's key figure, the catalog's page (counted where it changes), the public
inventory's "Released" filter, the annual report's figure, a visitor's search, the API's
listing and the published figure, on the demo city and after each kind of change that moves it
(a publication, a retirement, a re-review that restricts a published record)."""

import re

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from registry.catalog.views import front_door
from registry.dashboard import stats
from registry.datasets.models import Dataset
from registry.datasets.search import find_datasets
from registry.db import utcnow
from registry.extensions import db
from registry.reviews.services import perform_transition


def counts(client) -> set[int]:
    home = client.get("/").get_data(as_text=True)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    key = re.search(
        r'semibold">(\d+)</div><div class="small text-body-secondary">Released<', dashboard
    )
    catalog = client.get("/catalog").get_data(as_text=True)
    inventory = client.get("/inventory?status=released").get_data(as_text=True)
    shown = re.search(r"of (\d+) datasets|(No) datasets", inventory)
    report = client.get("/report").get_data(as_text=True)
    return {
        0 if shown.group(2) else int(shown.group(1)),
        int(re.search(r"(\d+) are in the catalog and data.json", report).group(1)),
        front_door()["released"],
        # The catalog's total, and its subjects' counts as kept where they change.
        int(re.search(r'aria-live="polite">(\d+) datasets?', catalog).group(1)),
        int(re.search(r"(\d+) datasets? released so far", home).group(1)),
        int(key.group(1)),
        find_datasets(AnonymousUserMixin(), {"page": 1, "per_page": 1}).total,
        client.get("/api/v1/datasets").get_json()["total"],
        stats.figures(utcnow(), ["funnel"])[0].total,
    }


def test_every_count_of_released_datasets_agrees_after_each_change(make, client):
    make.department(code="PW")
    first = make.published("PW", title="Street Trees")
    make.published("PW", title="Potholes", classification="internal")
    make.approved("PW", title="Not yet")
    db.session.commit()
    assert counts(client) == {2}

    make.published("PW", title="Sidewalks")
    db.session.commit()
    assert counts(client) == {3}

    retire = {"action": "retire", "note": "Replaced by the new inventory."}
    perform_transition(first, retire, actor=make.user("coordinator"))
    db.session.commit()
    assert counts(client) == {2}

    # A published record a re-review restricted: held, not released, everywhere alike.
    held = db.session.scalar(select(Dataset).where(Dataset.title == "Potholes"))
    held.classification = "restricted"
    db.session.commit()
    assert counts(client) == {1}


@pytest.mark.own_database
def test_every_count_of_released_datasets_agrees_on_the_demo_city(demo_app):
    with demo_app.app_context():
        found = counts(demo_app.test_client())
        db.session.rollback()
    assert len(found) == 1 and found.pop() > 20


def test_a_day_that_is_not_one_or_is_to_come_answers_the_dashboard_saying_why(client):
    for asked, reason in (
        ("31/7/2026", "Give a day as 2026-07-31 or 7/31/2026."),
        ("July 31", "Give a day as 2026-07-31 or 7/31/2026."),
        ("2999-01-01", "Give a day up to today: the figures cannot run ahead."),
        ("1889-12-31", "Give a date from 1990 until today."),
    ):
        response = client.get(f"/dashboard?as_of={asked}")
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert 'id="as_of-error"' in page and reason in page and 'aria-invalid="true"' in page
        assert "How the open data program is doing" in page and "As of now." in page


def test_a_day_as_american_cities_write_it_is_read(client):
    page = client.get("/dashboard?as_of=7/31/2025").get_data(as_text=True)
    assert "As the registry stood at the end of 31 July 2025." in page
