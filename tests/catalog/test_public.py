"""The public face: the catalog holds published records only, a dataset page carries schema.org
markup, the inventory lists levels 1 to 3 in any state and only counts restricted records, the
feeds parse and hold new releases only, and visitors' pages are cacheable."""

import json
import re
from datetime import timedelta

import feedparser
import pytest

from registry.dashboard import stats
from registry.db import utcnow
from registry.extensions import db
from registry.priorities.requests import answer_request
from registry.reviews.meetings import save_meeting
from registry.reviews.services import perform_transition


@pytest.fixture
def world(make):
    make.department(code="PW", name="Public Works")
    return {
        "released": make.published("PW", title="Street trees"),
        "draft": make.dataset(department="PW", title="Draft potholes"),
        "restricted": make.dataset(
            department="PW", title="Shelter addresses", classification="restricted"
        ),
    }


def test_the_catalog_holds_published_records_only(client, world, make, sign_in):
    sign_in(make.user("coordinator"))  # the catalog reads the same for staff
    page = client.get("/catalog").get_data(as_text=True)
    assert "Street trees" in page
    assert "Draft potholes" not in page and "Shelter addresses" not in page


def test_a_dataset_page_carries_schema_org_markup(client, world):
    page = client.get(f"/catalog/{world['released'].identifier}").get_data(as_text=True)
    markup = json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    )
    assert (markup["@type"], markup["name"], markup["creator"]["name"]) == (
        "Dataset",
        "Street trees",
        "Public Works",
    )
    assert markup["distribution"][0]["contentUrl"] == "https://data.city.example/d.csv"


def test_markup_cannot_close_its_script_element(client, make):
    make.department(code="PW")
    record = make.published("PW", title="Trees </script><script>alert(1)</script>")
    page = client.get(f"/catalog/{record.identifier}").get_data(as_text=True)
    block = page.split('<script type="application/ld+json">')[1].split("</script>")[0]
    assert "<" not in block and json.loads(block)["name"].startswith("Trees </script>")


@pytest.mark.parametrize("kind", ["draft", "restricted"])
def test_unreleased_records_have_no_catalog_page(client, world, kind):
    assert client.get(f"/catalog/{world[kind].identifier}").status_code == 404


def test_the_inventory_lists_every_releasable_record_in_plain_words(client, world):
    page = client.get("/inventory").get_data(as_text=True)
    assert "Draft potholes" in page and "Being described by its department" in page
    assert "Street trees" in page and "Released" in page


def test_the_inventory_counts_restricted_records_and_never_names_them(client, world):
    page = client.get("/inventory").get_data(as_text=True)
    row = re.search(r"Public Works</th><td[^>]*>(\d+)</td><td[^>]*>(\d+)</td>", page)
    assert "Shelter addresses" not in page and world["restricted"].identifier not in page
    assert row.groups() == ("3", "1")


def test_a_retired_record_says_why(client, make):
    record = make.published(title="Old permits")
    perform_transition(
        record,
        {"action": "retire", "note": "Replaced by the new permits system."},
        actor=make.user("coordinator"),
    )
    db.session.commit()
    page = client.get("/inventory?status=not_released").get_data(as_text=True)
    assert "Old permits" in page and "Replaced by the new permits system." in page


def test_the_feed_parses_and_holds_new_releases_only(client, world):
    feed = feedparser.parse(client.get("/feeds/released.atom").data)
    assert not feed.bozo, feed.bozo_exception
    assert [entry.title for entry in feed.entries] == ["Street trees"]
    assert feed.entries[0].link.endswith(f"/catalog/{world['released'].identifier}")


def test_each_department_has_a_feed(client, world, make):
    make.department(code="FIN")
    make.published("FIN", title="Budget")
    feed = feedparser.parse(client.get("/feeds/departments/fin.atom").data)
    assert [entry.title for entry in feed.entries] == ["Budget"]
    assert client.get("/feeds/departments/NOPE.atom").status_code == 404


def test_a_visitors_page_answers_304_when_it_has_not_changed(client, world):
    first = client.get("/catalog")
    again = client.get("/catalog", headers={"If-None-Match": first.headers["ETag"]})
    assert (first.headers["Cache-Control"], again.status_code) == ("public, max-age=300", 304)


def test_a_signed_in_page_is_never_cached(client, world, make, sign_in):
    sign_in(make.user("steward"))
    assert client.get("/catalog").headers["Cache-Control"] == "no-store"


def test_the_home_page_is_the_catalogs_front_door(client, world):
    page = client.get("/").get_data(as_text=True)
    assert 'action="/catalog"' in page and "1 dataset released so far, of 3" in page
    assert "Street trees" in page and "Shelter addresses" not in page


def test_no_public_page_feed_or_figure_names_a_restricted_record(client, app, make):
    """A restricted record before the committee (so on its agenda), planned for a data request,
    voted for in a round before it was restricted: a visitor's every page, feed, figure and
    download never names it."""
    secret = "Zebra shelter addresses"
    record = make.in_committee(title=secret, classification="internal")
    voting_round = make.voting_round()
    client.put(
        f"/api/v1/rounds/{voting_round.id}/votes/{record.identifier}",
        json={"votes": 2},
        headers={"Authorization": f"Bearer {make.token(make.user('stakeholder')).secret}"},
    )
    voting_round.opens_at = utcnow() - timedelta(days=2)
    voting_round.closes_at = utcnow() - timedelta(days=1)
    record.classification, record.access_level = "restricted", "non-public"
    record.rights = "State law"
    coordinator = make.user("coordinator")
    request = make.data_request(title="Shelters")
    answer_request(request, {"action": "link", "identifier": record.identifier}, actor=coordinator)
    save_meeting({"held_on": "2026-01-05", "attendees": "All"}, actor=coordinator)
    db.session.commit()
    paths = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and "<" not in rule.rule and not rule.rule.startswith("/static")
    ]
    paths += [f"/rounds/{voting_round.id}", f"/requests/{request.id}", "/committee/meetings/1"]
    paths += [f"/api/v1/stats/{name}" for name in stats.FIGURES]
    paths += [f"/stats/{name}.csv" for name in stats.FIGURES] + ["/report.csv"]
    leaked = [
        path
        for path in paths
        if secret in (body := client.get(path).get_data(as_text=True)) or record.identifier in body
    ]
    assert leaked == []


def test_a_page_with_a_message_for_one_visitor_is_not_kept_by_a_proxy(client, make, sign_in):
    sign_in(make.user("stakeholder"))
    client.post("/sign-out")
    response = client.get("/")
    assert "You are signed out." in response.get_data(as_text=True)
    assert "public" not in response.headers.get("Cache-Control", "")
