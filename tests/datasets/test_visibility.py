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


@pytest.mark.parametrize("who", [*READERS_OF_RESTRICTED, *NOT_READERS_OF_RESTRICTED])
def test_one_readers_reading_answers_as_the_rule_asked_anew(city, who):
    """A page asks a Reading of its records; everything else asks the module's functions."""
    from registry.datasets import visibility
    from registry.datasets.schemas import DatasetOut

    reader = city["people"][who] or visibility.VISITOR
    reading = visibility.Reading(reader)
    for record in city["records"].values():
        record.proposed_governance = {"classification": "restricted"}
        dump = DatasetOut().dump(record)
        assert reading.may_read(record) == visibility.may_read(reader, record)
        assert reading.sees_everything_about(record) == (
            visibility.reads_everything(reader)
            or visibility.in_department(reader, record.department_id)
        )
        assert reading.redact(dump, record) == visibility.redact(dump, record, reader)
    db.session.rollback()


def test_a_listing_asks_what_its_reader_may_read_once_however_many_records(
    client, make, monkeypatch
):
    """The reader's roles and departments were read again for each record of a page (a tenth
    of a staff token's API listing): asked as often for 3 records as for 12."""
    from registry.datasets import visibility

    steward = make.user("steward", departments=[make.department(code="PW").code])
    secret = make.token(steward).secret
    asked = []
    original = visibility.visibility_class
    monkeypatch.setattr(
        visibility, "visibility_class", lambda reader: asked.append(1) or original(reader)
    )
    counts = []
    for more in (3, 9):
        for _ in range(more):
            make.dataset(department="PW", classification="restricted")
        asked.clear()
        response = client.get("/api/v1/datasets", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 200
        counts.append((len(asked), len(response.json["items"])))
    assert counts[0][1:] == (3,) and counts[1][1:] == (12,)
    assert counts[0][0] == counts[1][0]
