"""/portal and its API: the coordinator registers a portal, reads it and confirms a match on the
page; auditors read the page and the API; nobody else reaches either."""

import re

from sqlalchemy import select

from registry.extensions import db
from registry.portal.models import PortalEntry, PortalSource


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
