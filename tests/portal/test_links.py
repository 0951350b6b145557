"""The links of what a portal lists: landing pages and downloads that answer an error are named
on /portal and in the API, a server that refuses HEAD is asked for its first bytes instead,
redirects are followed, each dataset is checked once a day, no host is asked more than a few
times a second, and a private address is refused unless the portal was allowed them."""

from datetime import timedelta
from itertools import pairwise
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from registry.db import utcnow, utctoday
from registry.extensions import db
from registry.portal import links
from registry.portal.drift import drift
from registry.portal.links import Pace, check_due_links, problems_of
from registry.portal.models import PortalEntry
from registry.portal.reconcile import add_source, check_source


def _dataset(portal, identifier, landing, *downloads):
    return {
        "identifier": identifier,
        "title": f"Dataset {identifier}",
        "description": "About it.",
        "modified": utctoday().isoformat(),
        "publisher": {"name": "Public Works"},
        "landingPage": portal.base + landing,
        "distribution": [{"downloadURL": portal.base + path} for path in downloads],
    }


@pytest.fixture
def served(make, portal, app):
    """A portal read once, listing three datasets: one with every link answering (one of them
    after a redirect, one only to GET), one whose download is gone, one whose landing page
    fails."""
    app.config["PORTAL_LINK_CHECKS_PER_SECOND"] = 100.0
    portal.files = {
        "/files/ok.csv": 200,
        "/files/page": 200,
        "/files/nohead.csv": 200,
        "/files/moved.csv": "/files/ok.csv",
        "/files/broken": 500,
    }
    portal.no_head = {"/files/nohead.csv"}
    portal.datasets = [
        _dataset(portal, "all-fine", "/files/page", "/files/nohead.csv", "/files/moved.csv"),
        _dataset(portal, "gone", "/files/page", "/files/ok.csv", "/files/gone.csv"),
        _dataset(portal, "failing", "/files/broken", "/files/ok.csv"),
    ]
    coordinator = make.user("coordinator")
    source = add_source(
        {"kind": "datajson", "url": portal.base + "/data.json", "allow_private": True},
        actor=coordinator,
    )
    assert check_source(source, actor=coordinator) is None
    db.session.commit()
    return source


def _problems() -> dict[str, str | None]:
    found = db.session.execute(select(PortalEntry.external_id, PortalEntry.link_problem))
    return dict(found.tuples().all())


def test_links_that_answer_an_error_are_named_and_the_others_pass(served, portal):
    assert check_due_links() == 3
    found = _problems()
    assert found["all-fine"] is None
    assert found["gone"] == f"A download: {portal.base}/files/gone.csv answered 404."
    assert found["failing"] == f"The landing page: {portal.base}/files/broken answered 500."
    assert [entry.external_id for entry in drift().broken] == ["failing", "gone"]
    # HEAD first; a GET of the first bytes only where HEAD was refused (or answered an error).
    asked = [(method, path, ranged) for method, path, _, ranged in portal.hits]
    assert ("HEAD", "/files/nohead.csv", None) in asked
    assert ("GET", "/files/nohead.csv", f"bytes=0-{links.FIRST_BYTES - 1}") in asked
    assert ("GET", "/files/ok.csv", f"bytes=0-{links.FIRST_BYTES - 1}") not in asked
    assert ("HEAD", "/files/ok.csv", None) in asked  # where the redirect led


def test_each_dataset_is_checked_once_a_day(served, portal):
    assert check_due_links() == 3
    assert check_due_links() == 0
    db.session.execute(
        update(PortalEntry)
        .where(PortalEntry.external_id == "gone")
        .values(links_checked_at=utcnow() - timedelta(days=1, minutes=1))
    )
    portal.files["/files/gone.csv"] = 200  # put back
    assert check_due_links() == 1
    assert _problems()["gone"] is None


def test_a_pass_stops_when_its_time_is_spent(served):
    assert check_due_links(budget_seconds=0) == 0
    assert set(_problems().values()) == {None}


def test_no_host_is_asked_more_often_than_allowed(portal, monkeypatch):
    """On a clock only the pacing moves (the server's own clock would add the network's
    jitter): each request to a host starts at least 1/rate after the last, another host's
    waits for nothing."""
    clock = [100.0]
    monkeypatch.setattr(links.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(
        links.time, "sleep", lambda seconds: clock.__setitem__(0, clock[0] + seconds)
    )
    asked = []
    ask = links._ask

    def noted(url, method):
        asked.append((clock[0], urlsplit(url).hostname))
        return ask(url, method)

    monkeypatch.setattr(links, "_ask", noted)
    portal.files = {f"/files/{number}.csv": 200 for number in range(5)}
    port = portal.server.server_port
    downloads = [f"{portal.base}/files/{number}.csv" for number in range(4)]
    downloads.insert(2, f"http://localhost:{port}/files/4.csv")  # another host
    assert problems_of(None, downloads, True, Pace(per_second=5)) is None
    assert len(portal.hits) == 5
    moments = [moment for moment, host in asked if host == "127.0.0.1"]
    assert [round(later - earlier, 6) for earlier, later in pairwise(moments)] == [0.2, 0.2, 0.2]
    (other,) = [moment for moment, host in asked if host == "localhost"]
    assert other == moments[1]  # not held back by 127.0.0.1's pace


def test_a_private_address_is_refused_unless_the_portal_allows_them(portal):
    portal.files = {"/files/ok.csv": 200}
    url = f"{portal.base}/files/ok.csv"
    refused = problems_of(url, [], False, Pace(100))
    assert refused.startswith("The landing page: 127.0.0.1 is a private or local address")
    assert portal.hits == []
    assert problems_of(url, [], True, Pace(100)) is None


def test_the_page_and_the_api_name_the_links_that_fail(served, client, make, sign_in):
    check_due_links()
    sign_in(make.user("auditor"))
    page = client.get("/portal").get_data(as_text=True)
    assert "Links that answer an error</a>: 2" in page
    assert "/files/gone.csv answered 404." in page
    broken = client.get("/api/v1/portal/drift").get_json()["broken_links"]
    assert [(item["external_id"], item["problem"][:17]) for item in broken] == [
        ("failing", "The landing page:"),
        ("gone", "A download: http:"),
    ]


def test_an_address_that_is_no_address_is_said_so(portal):
    assert problems_of("ftp://files.city.example/x.csv", [], True, Pace(100)) == (
        "The landing page: ftp://files.city.example/x.csv is not a web address."
    )
    problem = problems_of(None, ["http://[::1/x.csv"], True, Pace(100))
    assert problem.startswith("A download: http://[::1/x.csv")
