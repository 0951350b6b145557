"""What the coordinator does about drift: a dataset released straight to the portal added to the
registry as released in one step; a difference settled by taking the portal's value into the
record (an edit like any other) or keeping the registry's (not shown again until the portal's
value changes). Refused input changes nothing and says why; only coordinators act."""

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from registry.audit.models import AuditEvent
from registry.datasets.models import Dataset
from registry.errors import PermissionDenied
from registry.extensions import db
from registry.portal.actions import import_entry, settle
from registry.portal.drift import drift
from registry.portal.models import PortalEntry
from registry.portal.reconcile import add_source, check_source
from tests.factories import token


@pytest.fixture
def read(make, portal, city):
    """The portal of tests/portal/conftest.py, read once; the coordinator who read it."""
    make.department(code="PD", name="Police")
    coordinator = make.user("coordinator")
    source = add_source(
        {"kind": "datajson", "url": portal.base + "/data.json", "allow_private": True},
        actor=coordinator,
    )
    check_source(source, actor=coordinator)
    db.session.commit()
    return coordinator


def _entry(external_id: str) -> PortalEntry:
    return db.session.scalar(select(PortalEntry).where(PortalEntry.external_id == external_id))


def _differing(entry: PortalEntry) -> list[str]:
    """The fields of one portal dataset the drift shows as differing."""
    return [name for pair in drift().differs if pair[0].id == entry.id for name in pair[1]]


def _records() -> int:
    return db.session.scalar(select(func.count(Dataset.id)))


def test_a_dataset_released_on_the_portal_is_added_as_released_in_one_step(read):
    parking = _entry("zz-01")
    identifier = import_entry(parking.id, {"department": "pd"}, actor=read)
    db.session.commit()
    record = db.session.scalar(select(Dataset).where(Dataset.identifier == identifier))
    assert (record.title, record.department.code) == ("Parking Citations", "PD")
    assert (record.status, record.classification) == ("published", "public")
    assert record.description == "About Parking Citations."
    assert record.contact_email == "contact@city.example"
    assert record.additional_fields["Portal identifier"] == "zz-01"
    assert _entry("zz-01").dataset_id == record.id and _entry("zz-01").confirmed
    assert drift().elsewhere == []
    tags = set(
        db.session.scalars(select(AuditEvent.tag).where(AuditEvent.subject_id == identifier))
    )
    assert {"dataset:create", "portal:import"} <= tags


def test_an_import_refused_changes_nothing_and_says_why(read, make):
    parking = _entry("zz-01")
    before = _records()
    with pytest.raises(ValidationError) as no_department:
        import_entry(parking.id, {}, actor=read)
    assert no_department.value.messages == {
        "department": ["Choose the department that keeps this dataset."]
    }
    with pytest.raises(ValidationError) as unknown:
        import_entry(parking.id, {"department": "XX"}, actor=read)
    assert unknown.value.messages == {"department": ["There is no department with the code XX."]}
    matched = db.session.scalar(select(PortalEntry).where(PortalEntry.dataset_id.is_not(None)))
    with pytest.raises(ValidationError) as already:
        import_entry(matched.id, {"department": "PW"}, actor=read)
    assert "is already the record" in already.value.messages["entry"][0]
    with pytest.raises(PermissionDenied):
        import_entry(parking.id, {"department": "PD"}, actor=make.user("steward"))
    db.session.rollback()
    assert _records() == before and _entry("zz-01").dataset_id is None


def test_taking_the_portals_value_edits_the_record(read, city):
    weekly = city["weekly"]
    entry = _entry("socrata-4x4a")
    assert _differing(entry) == ["title", "description"]
    version = weekly.version
    settle(entry.id, {"field": "title", "side": "portal"}, actor=read)
    db.session.commit()
    db.session.refresh(weekly)
    assert (weekly.title, weekly.version) == ("Potholes fixed", version + 1)
    assert _differing(entry) == ["description"]
    tags = list(db.session.scalars(select(AuditEvent.tag).order_by(AuditEvent.seq.desc()).limit(2)))
    assert tags == ["portal:settle", "dataset:update"]


def test_keeping_the_registrys_value_holds_until_the_portal_changes_it(read, city, portal):
    entry = _entry("socrata-4x4a")
    settle(entry.id, {"field": "title", "side": "registry"}, actor=read)
    db.session.commit()
    assert city["weekly"].title == "Pothole Repairs"
    assert _differing(entry) == ["description"]
    portal.datasets[1]["title"] = "Potholes filled"
    check_source(entry.source, actor=read)
    db.session.commit()
    assert _differing(entry) == ["title", "description"]


def test_settling_what_does_not_differ_or_in_no_known_way_is_refused(read, city, make):
    entry = _entry("socrata-4x4a")
    with pytest.raises(ValidationError) as same:
        settle(entry.id, {"field": "license", "side": "portal"}, actor=read)
    assert same.value.messages == {"field": ["The license does not differ (any more)."]}
    with pytest.raises(ValidationError) as unknown:
        settle(entry.id, {"field": "steward", "side": "mine"}, actor=read)
    assert set(unknown.value.messages) == {"field", "side"}
    with pytest.raises(ValidationError) as unmatched:
        settle(_entry("zz-01").id, {"field": "title", "side": "portal"}, actor=read)
    assert unmatched.value.messages == {
        "entry": ["“Parking Citations” is not a record in the registry: add it first."]
    }
    with pytest.raises(PermissionDenied):
        settle(entry.id, {"field": "title", "side": "portal"}, actor=make.user("auditor"))
    assert city["weekly"].title == "Pothole Repairs"


def test_the_coordinator_acts_on_the_page_and_through_the_api(read, client, sign_in, city):
    sign_in(read)
    page = client.get("/portal").get_data(as_text=True)
    assert "Add as released" in page and "Use the portal's" in page
    parking = _entry("zz-01")
    refused = client.post(f"/portal/entries/{parking.id}/import", follow_redirects=True)
    assert "Choose the department that keeps this dataset." in refused.get_data(as_text=True)
    added = client.post(
        f"/portal/entries/{parking.id}/import", data={"department": "PD"}, follow_redirects=True
    )
    assert "Added to the registry as released" in added.get_data(as_text=True)
    entry = _entry("socrata-4x4a")
    kept = client.post(
        f"/portal/entries/{entry.id}/settle",
        data={"field": "title", "side": "registry"},
        follow_redirects=True,
    )
    assert "Kept the registry&#39;s title of “Pothole Repairs”" in kept.get_data(as_text=True)
    drift_now = client.get("/api/v1/portal/drift").get_json()
    assert drift_now["released_elsewhere"] == []
    assert [item["fields"] for item in drift_now["metadata_differs"]] == [["description"]]


def test_the_api_adds_and_settles_for_the_coordinator_only(read, client, make, city):
    coordinator = {"Authorization": f"Bearer {token(read).secret}"}
    auditor = {"Authorization": f"Bearer {token(make.user('auditor')).secret}"}
    parking = _entry("zz-01")
    url = f"/api/v1/portal/datasets/{parking.id}/import"
    assert client.post(url, json={"department": "PD"}, headers=auditor).status_code == 403
    refused = client.post(url, json={"department": "XX"}, headers=coordinator)
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["department"] == [
        "There is no department with the code XX."
    ]
    added = client.post(url, json={"department": "PD"}, headers=coordinator)
    assert added.status_code == 201 and added.get_json()["portal_dataset"] == parking.id
    entry = _entry("socrata-4x4a")
    differs = client.get("/api/v1/portal/drift", headers=coordinator).get_json()["metadata_differs"]
    assert differs[0]["values"]["title"] == {
        "registry": "Pothole Repairs",
        "portal": "Potholes fixed",
    }
    settled = client.post(
        f"/api/v1/portal/datasets/{entry.id}/settle",
        json={"field": "title", "side": "portal"},
        headers=coordinator,
    )
    assert settled.status_code == 200
    assert settled.get_json()["still_differs"] == ["description"]
