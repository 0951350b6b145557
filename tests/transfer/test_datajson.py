"""/data.json: the public catalog as DCAT-US v1.1, validated by an independent validator
(jsonschema, with rfc3987 checking URIs) against the official non-federal schema files, plus the
rules the schema leaves to GSA's validators."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from registry.accounts.models import Department
from registry.accounts.services import update_department
from registry.datasets.vocab import UPDATE_FREQUENCIES
from registry.extensions import db
from registry.reviews import services as reviews

STANDARDS = Path(__file__).resolve().parents[3] / "shared" / "standards" / "pod-v1.1"
NON_FEDERAL = STANDARDS / "non-federal-v1.1"


@pytest.fixture(scope="module")
def validator():
    if not NON_FEDERAL.is_dir():
        pytest.skip(f"the official schema files are not at {NON_FEDERAL} (CI always has them)")
    resources = []
    for path in NON_FEDERAL.glob("*.json"):
        document = json.loads(path.read_text())
        resources.append((document["id"].rstrip("#"), Resource(document, DRAFT4)))
    registry = Registry().with_resources(resources)
    catalog = json.loads((NON_FEDERAL / "catalog.json").read_text())
    return Draft4Validator(catalog, registry=registry, format_checker=FormatChecker())


@pytest.fixture
def published(make):
    """Three published records: plain, restricted-public with rights, and ongoing."""
    committee = [make.user("committee") for _ in range(3)]
    coordinator = make.user("coordinator")
    records = []
    for fields in (
        {},
        {"classification": "sensitive", "rights": "Aggregated under Code 2.14"},
        {
            "temporal": "2020-01-01/..",
            "license": "https://creativecommons.org/publicdomain/zero/1.0/",
        },
    ):
        dataset = make.in_committee(**fields)
        for member in committee[:2]:
            reviews.cast_vote(dataset, {"vote": "approve", "rationale": "Ok."}, actor=member)
        reviews.perform_transition(
            dataset,
            {
                "action": "publish",
                "landing_page": f"https://data.city.example/{dataset.identifier}",
            },
            actor=coordinator,
        )
        records.append(dataset)
    make.dataset(title="Never published")
    db.session.commit()
    return records


def test_data_json_validates_against_the_official_schema(client, published, validator):
    catalog = client.get("/data.json").get_json()
    errors = sorted(validator.iter_errors(catalog), key=lambda error: error.path)
    assert [error.message for error in errors] == []
    assert len(catalog["dataset"]) == 3


def test_data_json_meets_the_rules_the_schema_leaves_to_validators(client, published):
    datasets = client.get("/data.json").get_json()["dataset"]
    identifiers = [entry["identifier"] for entry in datasets]
    interval = re.compile(r"^[^/]+/[^/]+$")
    assert len(set(identifiers)) == len(identifiers)
    for entry in datasets:
        assert entry["accessLevel"] == "public" or entry["rights"]
        assert entry.get("accrualPeriodicity", "irregular") in UPDATE_FREQUENCIES
        assert "temporal" not in entry or (
            interval.match(entry["temporal"]) and ".." not in entry["temporal"]
        )
        assert entry["contactPoint"].get("hasEmail", "mailto:").startswith("mailto:")
        for distribution in entry["distribution"]:
            assert "downloadURL" not in distribution or distribution.get("mediaType")
            assert distribution.get("downloadURL") or distribution.get("accessURL")


def test_every_distribution_of_a_published_record_is_in_it(client, published):
    by_id = {entry["identifier"]: entry for entry in client.get("/data.json").get_json()["dataset"]}
    for dataset in published:
        urls = [d["downloadURL"] for d in by_id[dataset.identifier]["distribution"]]
        assert urls == [item["download_url"] for item in dataset.distributions]


def test_a_conditional_get_answers_304_until_something_changes(client, published, make):
    first = client.get("/data.json")
    again = client.get("/data.json", headers={"If-None-Match": first.headers["ETag"]})
    assert first.headers["Content-Type"].startswith("application/json")
    assert first.headers["Last-Modified"] and again.status_code == 304
    coordinator = make.user("coordinator")
    reviews.perform_transition(
        published[0], {"action": "retire", "note": "Gone."}, actor=coordinator
    )
    db.session.commit()
    after = client.get("/data.json", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and len(after.get_json()["dataset"]) == 2


def test_every_public_page_links_the_catalog(client):
    html = client.get("/").get_data(as_text=True)
    link = '<link rel="alternate" type="application/json" title="Data catalog (DCAT-US)"'
    assert f'{link} href="/data.json">' in html


def test_renaming_a_department_changes_the_catalogs_etag(client, published, make):
    first = client.get("/data.json")
    department = db.session.get(Department, published[0].department_id)
    update_department(department, {"name": "Renamed Department"}, actor=make.user("coordinator"))
    db.session.commit()
    after = client.get("/data.json", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    publishers = {entry["publisher"]["name"] for entry in after.get_json()["dataset"]}
    assert "Renamed Department" in publishers


def test_if_modified_since_answers_304_until_something_changes(client, published, make):
    first = client.get("/data.json")
    since = {"If-Modified-Since": first.headers["Last-Modified"]}
    again = client.get("/data.json", headers=since)
    reviews.perform_transition(
        published[0], {"action": "retire", "note": "Gone."}, actor=make.user("coordinator")
    )
    # HTTP dates have whole seconds: the retirement is taken to come a few seconds later.
    published[0].updated_at += timedelta(seconds=3)
    db.session.commit()
    assert again.status_code == 304
    assert client.get("/data.json", headers=since).status_code == 200


def test_an_ongoing_period_makes_each_day_a_new_catalog(client, published, monkeypatch):
    from registry.transfer import views

    today = views.utctoday()
    first = client.get("/data.json")
    monkeypatch.setattr(views, "utctoday", lambda: today + timedelta(days=1))
    tomorrow = client.get("/data.json", headers={"If-None-Match": first.headers["ETag"]})
    assert tomorrow.status_code == 200


def test_each_publisher_is_a_sub_organization_of_the_city(client, published, app, monkeypatch):
    monkeypatch.setitem(app.config, "CITY_NAME", "City of Riverton")
    entries = client.get("/data.json").get_json()["dataset"]
    assert {entry["publisher"]["subOrganizationOf"]["name"] for entry in entries} == {
        "City of Riverton"
    }


def test_links_come_from_the_base_url_never_the_host_header(client, published, app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://registry.riverton.example")
    feed = client.get("/feeds/released.atom", headers={"Host": "evil.example"})
    text = feed.get_data(as_text=True)
    assert "evil.example" not in text and "https://registry.riverton.example/" in text
