"""/portal and its API: the coordinator registers a portal, reads it and confirms a match on the
page; auditors read the page and the API; nobody else reaches either."""

import re

from sqlalchemy import select

from registry.extensions import db
from registry.portal.models import PortalEntry, PortalSource
from registry.portal.reconcile import add_source, check_source


def test_the_coordinator_registers_reads_and_confirms_on_the_page(
    client, make, sign_in, portal, city
):
    sign_in(make.user("coordinator"))
    empty = client.get("/portal").get_data(as_text=True)
    assert "No portal is registered yet." in empty
    refused = client.post("/portal/sources", data={"kind": "datajson", "url": "nope"})
    assert refused.status_code == 422
    assert "Give the portal&#39;s address" in refused.get_data(as_text=True)
    added = client.post(
        "/portal/sources",
        data={"kind": "datajson", "url": portal.base + "/data.json", "allow_private": "y"},
    )
    assert added.status_code == 302
    source = db.session.scalar(select(PortalSource))
    read = client.post(f"/portal/sources/{source.id}/check", follow_redirects=True)
    page = read.get_data(as_text=True)
    assert "The portal was read: 4 datasets." in page
    assert "Released on a portal, not in the registry</a>: 1" in page
    assert "Parking Citations" in page and "Snow Routes" in page
    assert re.search(r"Street Trees</a></td>\s*<td data-label=\"Updated\">Monthly", page)
    bridges = db.session.scalar(select(PortalEntry).where(PortalEntry.external_id == "b7-99"))
    client.post(f"/portal/entries/{bridges.id}/match", data={"record": city["yearly"].identifier})
    assert "Matches to confirm</a>: 0" in client.get("/portal").get_data(as_text=True)
    drift = client.get("/api/v1/portal/drift").get_json()
    assert [item["title"] for item in drift["released_elsewhere"]] == ["Parking Citations"]
    states = {item["title"]: (item["state"], item["days_late"]) for item in drift["freshness"]}
    assert states["Street Trees"] == ("overdue", 9)
    assert drift["freshness_by_department"] == [
        {
            "department": "Public Works",
            "judged": 3,
            "on_time": 1,
            "share_on_time": 1 / 3,
            "median_days_late": 271.5,
        }
    ]
    assert "271.5" in client.get("/portal").get_data(as_text=True)
    assert client.get("/api/v1/portal/sources").get_json()["items"][0]["last_count"] == 4


def test_a_failed_reading_is_said_on_the_page(client, make, sign_in, portal, city):
    sign_in(make.user("coordinator"))
    client.post("/portal/sources", data={"kind": "ckan", "url": portal.base + "/error"})
    source = db.session.scalar(select(PortalSource))
    page = client.post(f"/portal/sources/{source.id}/check", follow_redirects=True)
    text = page.get_data(as_text=True)
    assert "could not be read, and nothing changed" in text and "Not read yet" not in text


def test_only_the_coordinator_and_auditors_reach_it(client, make, sign_in):
    for role, status in (
        ("steward", 403),
        ("committee", 403),
        ("stakeholder", 403),
        ("auditor", 200),
    ):
        sign_in(make.user(role))
        assert client.get("/portal").status_code == status, role
        client.post("/sign-out")
    sign_in(make.user("auditor"))
    assert client.post("/portal/sources", data={"kind": "datajson"}).status_code == 403


def test_late_records_reach_my_work_and_the_record_page(client, make, sign_in, portal, city):
    coordinator = make.user("coordinator")
    source = add_source(
        {"kind": "datajson", "url": portal.base + "/data.json", "allow_private": True},
        actor=coordinator,
    )
    check_source(source, actor=coordinator)
    db.session.commit()
    sign_in(coordinator)
    work = client.get("/work").get_data(as_text=True)
    assert "Late on the portal" in work and "Street Trees" in work
    record = client.get(f"/datasets/{city['monthly'].identifier}").get_data(as_text=True)
    assert "On the portal" in record and "Overdue</span>, 9 days late" in record
    client.post("/sign-out")
    steward = make.user("steward", departments=["PW"])
    sign_in(steward)
    mine = client.get("/work?kind=late_on_portal").get_data(as_text=True)
    assert "Street Trees" in mine and "Bridge Inspections" in mine and "Pothole" not in mine


def test_a_portal_link_that_is_not_a_web_address_is_not_linked(client, make, sign_in, portal, city):
    portal.datasets[3]["landingPage"] = "javascript:alert(1)"
    coordinator = make.user("coordinator")
    source = add_source(
        {"kind": "datajson", "url": portal.base + "/data.json", "allow_private": True},
        actor=coordinator,
    )
    check_source(source, actor=coordinator)
    db.session.commit()
    sign_in(coordinator)
    page = client.get("/portal").get_data(as_text=True)
    assert "Parking Citations" in page and "javascript:" not in page


def test_an_uncertain_match_is_corrected_to_another_record(client, make, sign_in, portal, city):
    coordinator = make.user("coordinator")
    source = add_source(
        {"kind": "datajson", "url": portal.base + "/data.json", "allow_private": True},
        actor=coordinator,
    )
    check_source(source, actor=coordinator)
    db.session.commit()
    sign_in(coordinator)
    bridges = db.session.scalar(select(PortalEntry).where(PortalEntry.external_id == "b7-99"))
    assert "Or it is the record" in client.get("/portal").get_data(as_text=True)
    empty = client.post(f"/portal/entries/{bridges.id}/match", data={"record": " "})
    assert empty.status_code == 302
    shown = client.get("/portal").get_data(as_text=True)
    assert "Give the identifier of the record it is, or say it is none." in shown
    db.session.refresh(bridges)
    assert not bridges.confirmed
    other = city["missing"].identifier
    client.post(f"/portal/entries/{bridges.id}/match", data={"record": other})
    db.session.refresh(bridges)
    assert (bridges.dataset_id, bridges.confirmed) == (city["missing"].id, True)
