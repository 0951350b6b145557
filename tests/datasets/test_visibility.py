"""Who sees what, probed through every path: detail, list, search, facets, history, API.

A record a user may not read answers exactly like one that does not exist.
"""

import pytest

from registry.datasets import services
from registry.extensions import db
from tests import factories

READERS_OF_RESTRICTED = ["coordinator", "committee", "auditor", "own steward"]
NOT_READERS_OF_RESTRICTED = ["stakeholder", "other steward", "anonymous"]


@pytest.fixture
def city(make):
    health = make.department(code="HD", name="Public Health")
    make.department(code="PW", name="Public Works")
    own = make.user("steward", departments=["HD"])
    records = {
        "secret": make.dataset(
            department="HD",
            classification="restricted",
            title="Informant Registry",
            keywords=["informants"],
        ),
        "open": make.dataset(department="HD", classification="public", title="Clinic Locations"),
        "works": make.dataset(department="PW", classification="internal", title="Pothole Requests"),
    }
    people = {
        "coordinator": make.user("coordinator"),
        "committee": make.user("committee"),
        "auditor": make.user("auditor"),
        "own steward": own,
        "other steward": make.user("steward", departments=["PW"]),
        "stakeholder": make.user("stakeholder"),
        "anonymous": None,
    }
    return {"records": records, "people": people, "health": health}


@pytest.fixture
def as_(client):
    def _as(user):
        if user is not None:
            with client.session_transaction() as session:
                session["_user_id"] = factories.browser_session(user)
        return client

    return _as


@pytest.mark.parametrize("who", READERS_OF_RESTRICTED)
def test_restricted_detail_is_shown_to_those_who_may_read_it(city, as_, who):
    secret = city["records"]["secret"].identifier
    assert as_(city["people"][who]).get(f"/api/v1/datasets/{secret}").status_code == 200


@pytest.mark.parametrize("who", NOT_READERS_OF_RESTRICTED)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/datasets/{id}",
        "/api/v1/datasets/{id}/history",
        "/datasets/{id}",
        "/datasets/{id}/history",
    ],
)
def test_a_restricted_record_answers_exactly_like_a_missing_one(city, as_, who, path):
    client = as_(city["people"][who])
    hidden = client.get(path.format(id=city["records"]["secret"].identifier))
    missing = client.get(path.format(id="hd-nosuch"))
    assert (hidden.status_code, hidden.data) == (404, missing.data)


@pytest.mark.parametrize("who", NOT_READERS_OF_RESTRICTED)
def test_search_never_finds_a_restricted_record(city, as_, who):
    client = as_(city["people"][who])
    body = client.get("/api/v1/datasets?q=informant&facets=classification").get_json()
    assert (body["total"], body["items"], body["facets"]["classification"]) == (0, [], {})


@pytest.mark.parametrize("who", NOT_READERS_OF_RESTRICTED)
def test_restricted_records_appear_only_in_an_aggregate_that_ignores_the_search(city, as_, who):
    client = as_(city["people"][who])
    searched = client.get("/api/v1/datasets?q=informant").get_json()
    unsearched = client.get("/api/v1/datasets").get_json()
    assert searched["restricted_not_shown"] == unsearched["restricted_not_shown"] == 1


def test_stakeholders_see_levels_one_to_three_in_any_state(city, as_):
    body = as_(city["people"]["stakeholder"]).get("/api/v1/datasets?sort=title").get_json()
    assert [item["title"] for item in body["items"]] == ["Clinic Locations", "Pothole Requests"]


def test_the_public_sees_only_published_records(city, as_):
    body = as_(None).get("/api/v1/datasets?facets=department").get_json()
    assert (body["total"], body["facets"]["department"]) == (0, {})


@pytest.mark.parametrize(
    ("who", "health_count"), [("own steward", 2), ("other steward", 1), ("coordinator", 2)]
)
def test_facet_counts_only_count_what_the_user_may_read(city, as_, who, health_count):
    body = as_(city["people"][who]).get("/api/v1/datasets?facets=department").get_json()
    assert body["facets"]["department"]["HD"] == health_count


def test_the_list_page_shows_the_aggregate_and_never_the_title(city, as_):
    html = as_(city["people"]["stakeholder"]).get("/datasets?q=informant").get_data(as_text=True)
    assert "also holds 1 restricted dataset" in html and "Informant" not in html.replace(
        "informant", ""
    )


def test_versions_from_a_restricted_time_stay_hidden_after_reclassification(city, as_, make):
    secret = city["records"]["secret"]
    services.update_dataset(
        secret,
        {"classification": "internal", "title": "Tip Line Statistics", "version": 1},
        actor=city["people"]["coordinator"],
    )
    db.session.commit()
    body = (
        as_(city["people"]["stakeholder"])
        .get(f"/api/v1/datasets/{secret.identifier}/history")
        .get_json()
    )
    assert [item["version"] for item in body["items"]] == [2]
    assert body["hidden_versions"] == 1 and "Informant" not in str(body)


def test_stewards_may_read_but_not_edit_other_departments_records(city, as_):
    works = city["records"]["works"].identifier
    client = as_(city["people"]["own steward"])
    read = client.get(f"/api/v1/datasets/{works}")
    edit = client.patch(f"/api/v1/datasets/{works}", json={"title": "Mine", "version": 1})
    assert (read.status_code, edit.status_code) == (200, 403)
