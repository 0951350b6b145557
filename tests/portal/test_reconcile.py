"""The registry set against a city's portal (tests/portal/portal_server.py): each kind read
whole and paged, matched to records by identifier, landing page and title, the drift and the
freshness figures equal to those worked by hand; a portal that is slow, failing, huge or
redirecting elsewhere changes nothing and says why."""

from datetime import timedelta

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from registry.db import utctoday
from registry.extensions import db
from registry.notifications.models import Notification
from registry.portal import fetch, readers
from registry.portal.drift import drift
from registry.portal.freshness import freshness
from registry.portal.models import PortalEntry
from registry.portal.reconcile import (
    add_source,
    check_due_portals,
    check_source,
    confirm_match,
)


def _source(make, portal, kind="datajson", path="/data.json", **more):
    coordinator = make.user("coordinator")
    source = add_source(
        {"kind": kind, "url": portal.base + path, "allow_private": True, **more}, actor=coordinator
    )
    return source, coordinator


@pytest.mark.parametrize(
    ("kind", "path"),
    [("datajson", "/data.json"), ("ckan", ""), ("socrata", "/api/catalog/v1?domains=127.0.0.1")],
)
def test_each_kind_of_portal_is_read_whole_and_matched(make, portal, city, kind, path, monkeypatch):
    monkeypatch.setattr(readers, "PAGE_SIZE", 3)  # four datasets: two pages
    source, coordinator = _source(make, portal, kind, path)
    assert check_source(source, actor=coordinator) is None
    entries = {e.external_id: e for e in db.session.scalars(select(PortalEntry))}
    assert source.last_count == 4 and len(entries) == 4
    matched = {e.title: (e.matched_by, e.dataset_id) for e in entries.values()}
    assert matched["Street Trees"] == ("identifier", city["monthly"].id)
    assert matched["Bridge Inspections"] == ("title", city["yearly"].id)
    assert matched["Parking Citations"] == (None, None)
    if kind != "ckan":  # CKAN's landing page is its own dataset page
        assert matched["Potholes fixed"] == ("landing page", city["weekly"].id)
    if kind != "datajson":
        assert len([r for r in portal.requests if "offset=3" in r or "start=3" in r]) == 1


def test_drift_and_freshness_equal_the_figures_worked_by_hand(make, portal, city):
    source, coordinator = _source(make, portal)
    check_source(source, actor=coordinator)
    found = drift()
    assert [entry.title for entry in found.elsewhere] == ["Parking Citations"]
    assert [record.title for record in found.missing] == ["Snow Routes"]
    assert [entry.title for entry in found.uncertain] == ["Bridge Inspections"]
    assert [(entry.title, fields) for entry, fields in found.differs] == [
        ("Potholes fixed", ["title", "description"])
    ]
    judged = {
        late.record.title: (late.freshness.state, late.freshness.days_late) for late in found.fresh
    }
    assert judged == {
        "Street Trees": ("overdue", 9),
        "Pothole Repairs": ("due", 1),
        "Bridge Inspections": ("delinquent", 534),
    }
    assert {late.record.title for late in found.late} == {"Street Trees", "Bridge Inspections"}
    # By department: 3 judged, 1 on time (due counts as on time), the late 9 and 534 days.
    (public_works,) = found.by_department
    assert (public_works.department, public_works.judged, public_works.on_time) == (
        "Public Works",
        3,
        1,
    )
    assert public_works.median_days_late == 271.5


def test_a_confirmed_match_is_kept_across_readings(make, portal, city):
    source, coordinator = _source(make, portal)
    check_source(source, actor=coordinator)
    bridges = db.session.scalar(select(PortalEntry).where(PortalEntry.external_id == "b7-99"))
    confirm_match(bridges.id, None, actor=coordinator)  # not the registry's bridges after all
    check_source(source, actor=coordinator)
    db.session.refresh(bridges)
    assert bridges.confirmed and bridges.dataset_id is None
    assert "Bridge Inspections" in [entry.title for entry in drift().elsewhere]
    with pytest.raises(ValidationError):
        confirm_match(bridges.id, "no-such-record", actor=coordinator)


def test_the_freshness_rule_against_a_hand_written_table():
    today = utctoday()
    table = [  # frequency, days since the change, state, days late
        ("R/P1D", 1, "fresh", 0),
        ("R/P1D", 2, "due", 1),
        ("R/P1D", 3, "overdue", 2),
        ("R/P1D", 4, "delinquent", 3),
        ("R/P1W", 7, "fresh", 0),
        ("R/P1W", 8, "due", 1),
        ("R/P1W", 9, "overdue", 2),
        ("R/P1W", 16, "delinquent", 9),
        ("R/P1M", 38, "due", 7),
        ("R/P1M", 39, "overdue", 8),
        ("R/P1M", 70, "delinquent", 39),
        ("R/P1Y", 366, "fresh", 0),
        ("R/P1Y", 457, "due", 91),
    ]
    for frequency, age, state, late in table:
        judged = freshness(frequency, today - timedelta(days=age), today)
        assert (judged.state, judged.days_late) == (state, late), (frequency, age)
    assert freshness("irregular", today, today) is None
    assert freshness("R/P1M", None, today) is None


@pytest.mark.parametrize(
    ("path", "says"),
    [
        ("/error", "answered 500"),
        ("/slow", "did not answer within 1 s"),
        ("/huge", "larger than"),
        ("/away", "another host than the one registered"),
        ("/nowhere", "answered 404"),
    ],
)
def test_a_portal_that_fails_changes_nothing_and_says_why(
    make, portal, city, path, says, monkeypatch
):
    monkeypatch.setattr(fetch, "TIMEOUT_SECONDS", 1)
    monkeypatch.setattr(fetch, "MAX_BYTES", 1024 * 1024)
    source, coordinator = _source(make, portal)
    check_source(source, actor=coordinator)
    before = sorted(db.session.scalars(select(PortalEntry.external_id)))
    source.url = portal.base + path
    problem = check_source(source, actor=coordinator)
    assert says in problem and source.last_error == problem
    assert sorted(db.session.scalars(select(PortalEntry.external_id))) == before
    assert source.last_count == 4


def test_a_redirect_on_the_same_host_is_followed(make, portal, city):
    source, coordinator = _source(make, portal, path="/moved")
    assert check_source(source, actor=coordinator) is None and source.last_count == 4


def test_private_addresses_are_refused_unless_allowed(make, portal):
    source, coordinator = _source(make, portal, allow_private=False)
    problem = check_source(source, actor=coordinator)
    assert "private or local address" in problem


def test_a_wrong_source_is_refused_with_the_reason(make, portal):
    coordinator = make.user("coordinator")
    with pytest.raises(ValidationError) as refused:
        add_source({"kind": "arcgis", "url": "not a url"}, actor=coordinator)
    assert refused.value.messages == {
        "kind": ["Choose data.json, CKAN or Socrata."],
        "url": ["Give the portal's address, starting with https://."],
    }
    add_source({"kind": "datajson", "url": portal.base + "/data.json"}, actor=coordinator)
    with pytest.raises(ValidationError) as again:
        add_source({"kind": "datajson", "url": portal.base + "/data.json"}, actor=coordinator)
    assert again.value.messages == {"url": ["This portal is registered already."]}


def test_housekeeping_reads_each_portal_once_a_day(make, portal, city):
    source, _coordinator = _source(make, portal)
    assert check_due_portals() == 1 and source.last_count == 4
    assert check_due_portals() == 0  # read today already
    source.checked_at -= timedelta(hours=25)
    db.session.commit()
    assert check_due_portals() == 1


def test_stewards_are_told_once_per_lateness(make, portal, city):
    source, coordinator = _source(make, portal)
    check_source(source, actor=coordinator)
    told = db.session.scalars(
        select(Notification.subject).where(Notification.kind == "Late on the portal")
    ).all()
    assert sorted(set(told)) == [
        "Late on the portal: Bridge Inspections",
        "Late on the portal: Street Trees",
    ]
    check_source(source, actor=coordinator)  # the same lateness: nobody is told again
    again = db.session.scalars(
        select(Notification.subject).where(Notification.kind == "Late on the portal")
    ).all()
    assert len(again) == len(told)
    portal.datasets[0]["modified"] = (utctoday() - timedelta(days=100)).isoformat()
    check_source(source, actor=coordinator)  # another change, late again: told again
    assert db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.subject == "Late on the portal: Street Trees")
    ) > told.count("Late on the portal: Street Trees")
