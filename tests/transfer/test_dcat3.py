"""/catalog.jsonld: the public catalog in DCAT-US 3.0 JSON-LD, validated as a whole catalog
against GSA's schema definitions exactly as data.gov's harvester validates it (every file
registered under its `$id`, Draft 2020-12, formats checked), and read by rdflib into the same
datasets and distributions as the v1.1 data.json."""

import json
import warnings
from pathlib import Path

import pytest
import rdflib
from jsonschema import Draft202012Validator, FormatChecker
from rdflib.namespace import DCAT, DCTERMS, RDF, Namespace
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.datasets.services import update_dataset
from registry.extensions import db
from registry.reviews import services as reviews

DEFINITIONS = Path(__file__).resolve().parents[3] / "shared" / "standards" / "dcat-us-3.0"
CATALOG = "https://resources.data.gov/dcat-us/3.0.0/definitions/catalog"
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")


@pytest.fixture(scope="module")
def validator():
    folder = DEFINITIONS / "definitions"
    if not folder.is_dir():
        pytest.skip(f"the DCAT-US 3.0 definitions are not at {folder} (CI always has them)")
    resources = []
    for path in folder.glob("*.json"):
        document = json.loads(path.read_text())
        resources.append((document["$id"], Resource(document, DRAFT202012)))
    registry = Registry().with_resources(resources)
    return Draft202012Validator(
        {"$ref": CATALOG}, registry=registry, format_checker=FormatChecker()
    )


def _problems(validator, catalog) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message[:200]}"
        for error in validator.iter_errors(catalog)
    ]


@pytest.fixture
def published(make):
    """Published records as cities keep them: one complete, one restricted to the public with
    its rights, one ongoing without a contact address (its department's stands in), and a
    draft that is never in the catalog."""
    make.department(code="PW", name="Public Works", contact_email="data.pw@city.example")
    committee = [make.user("committee") for _ in range(2)]
    coordinator = make.user("coordinator")
    records = []
    for fields in (
        {
            "keywords": ["trees", "canopy"],
            "themes": ["Environment"],
            "contact_name": "Marisol Vega",
            "contact_email": "marisol.vega@city.example",
            "update_frequency": "R/P1M",
            "language": ["en-US", "es"],
            "spatial": "City of Riverton",
            "data_dictionary": "https://data.city.example/dictionaries/trees",
            "license": "https://creativecommons.org/licenses/by/4.0/",
            "distributions": [
                {"download_url": "https://data.city.example/trees.csv", "media_type": "text/csv"},
                {"access_url": "https://data.city.example/trees/api", "format": "API"},
            ],
        },
        {"classification": "sensitive", "rights": "Aggregated to the block under Code 2.14"},
        {"temporal": "2020-01-01/..", "update_frequency": "irregular"},
    ):
        dataset = make.in_committee("PW", **fields)
        for member in committee:
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
    # As a record imported as already released may be: no contact address of its own.
    update_dataset(
        records[2], {"contact_email": None, "version": records[2].version}, actor=coordinator
    )
    make.dataset(title="Never published", department="PW")
    db.session.commit()
    return records


def test_the_catalog_validates_against_gsas_dcat_us_3_schema(client, published, validator):
    answer = client.get("/catalog.jsonld")
    assert answer.status_code == 200 and answer.mimetype == "application/ld+json"
    catalog = answer.get_json()
    assert _problems(validator, catalog) == []
    assert len(catalog["dataset"]) == 3
    titles = {dataset["title"] for dataset in catalog["dataset"]}
    assert "Never published" not in titles


def test_what_dcat_us_3_asks_beyond_v1_1_is_filled_in(client, published):
    datasets = {d["identifier"]: d for d in client.get("/catalog.jsonld").get_json()["dataset"]}
    complete, restricted, ongoing = (datasets[record.identifier] for record in published)
    assert complete["contactPoint"]["hasEmail"] == "mailto:marisol.vega@city.example"
    assert ongoing["contactPoint"]["hasEmail"] == "mailto:data.pw@city.example"  # department's
    assert complete["language"] == ["en", "es"]
    assert {d.get("license") for d in complete["distribution"]} == {
        "https://creativecommons.org/licenses/by/4.0/"
    }
    assert complete["describedBy"]["accessURL"] == "https://data.city.example/dictionaries/trees"
    assert restricted["accessRights"] == "restricted public"
    assert restricted["rights"] == ["Aggregated to the block under Code 2.14"]
    assert ongoing["temporal"][0]["startDate"] == "2020-01-01"
    assert ongoing["temporal"][0]["endDate"]  # an ongoing period runs up to today


def test_rdflib_reads_the_same_datasets_and_distributions_as_data_json(client, published):
    with warnings.catch_warnings():  # rdflib's own JSON-LD reader uses its deprecated class
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = rdflib.Graph().parse(data=client.get("/catalog.jsonld").data, format="json-ld")
    v1 = client.get("/data.json").get_json()["dataset"]
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    found = {
        (str(graph.value(node, DCTERMS.identifier)), str(graph.value(node, DCTERMS.title)))
        for node in datasets
    }
    assert found == {(entry["identifier"], entry["title"]) for entry in v1}
    links = {
        str(url)
        for node in datasets
        for distribution in graph.objects(node, DCAT.distribution)
        for url in (
            *graph.objects(distribution, DCAT.downloadURL),
            *graph.objects(distribution, DCAT.accessURL),
        )
    }
    expected = {
        item.get("downloadURL") or item.get("accessURL")
        for entry in v1
        for item in entry.get("distribution", [])
    }
    assert links == expected
    emails = {str(email) for email in graph.objects(None, VCARD.hasEmail)}
    assert "mailto:marisol.vega@city.example" in emails


def test_the_programs_address_is_the_contact_of_last_resort(client, make, app, monkeypatch):
    make.department(code="CLK", name="City Clerk")
    record = make.published("CLK", title="Council votes")
    coordinator = make.user("coordinator")
    update_dataset(record, {"contact_email": None, "version": record.version}, actor=coordinator)
    db.session.commit()
    monkeypatch.setitem(app.config, "OPEN_DATA_EMAIL", "opendata@city.example")
    datasets = client.get("/catalog.jsonld").get_json()["dataset"]
    mine = next(d for d in datasets if d["identifier"] == record.identifier)
    assert mine["contactPoint"]["hasEmail"] == "mailto:opendata@city.example"


def test_a_conditional_get_answers_304_and_the_two_formats_differ(client, published):
    first = client.get("/catalog.jsonld")
    again = client.get("/catalog.jsonld", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert first.headers["ETag"] != client.get("/data.json").headers["ETag"]


def test_the_export_page_gives_it_as_of_a_day_and_audits_it(client, published, make, sign_in):
    sign_in(make.user("auditor"))
    page = client.get("/exports").get_data(as_text=True)
    assert "DCAT-US 3.0 (published only)" in page
    answer = client.get("/exports/catalog.jsonld")
    assert answer.status_code == 200
    assert "catalog-public-" in answer.headers["Content-Disposition"]
    assert len(json.loads(answer.data)["dataset"]) == 3
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.tag == Tag.EXPORT).order_by(AuditEvent.id.desc())
    )
    assert event is not None
    refused = client.get("/exports/catalog.jsonld?as_of=31/7/2026")
    assert refused.status_code == 422


@pytest.mark.own_database
def test_the_demo_citys_whole_catalog_validates(demo_app, validator):
    with demo_app.app_context():
        catalog = demo_app.test_client().get("/catalog.jsonld").get_json()
        db.session.rollback()
    assert len(catalog["dataset"]) > 20
    assert _problems(validator, catalog) == []
