"""Scopes and as_of: the inventory read by scope, now and at moments between known steps of a
record's history, through the same visibility as the record itself."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from registry.datasets import services as datasets
from registry.datasets.models import DatasetVersion
from registry.datasets.queries import Scope, records, restricted_counts
from registry.errors import PermissionDenied
from registry.extensions import db
from registry.reviews import services as reviews


def at(day: int) -> datetime:
    return datetime(2025, 1, day, 12, tzinfo=UTC)


def dated(dataset, day: int) -> None:
    """The step just taken happened on that day (its version says so)."""
    db.session.execute(
        update(DatasetVersion)
        .where(DatasetVersion.dataset_id == dataset.id, DatasetVersion.version == dataset.version)
        .values(changed_at=at(day))
    )


@pytest.fixture
def known_history(make):
    """Registered on the 2nd, renamed on the 4th, approved on the 6th, published on the 8th,
    retired on the 10th (of January 2025)."""
    committee = [make.user("committee") for _ in range(3)]
    coordinator = make.user("coordinator")
    steward = make.user("steward")
    dataset = make.dataset(
        actor=steward, department=steward.department_codes[0], title="Trees", **make.COMPLETE
    )
    dated(dataset, 2)
    datasets.update_dataset(dataset, {"title": "Street Trees", "version": 1}, actor=steward)
    dated(dataset, 4)
    reviews.perform_transition(dataset, {"action": "submit"}, actor=steward)
    reviews.perform_transition(dataset, {"action": "send_to_committee"}, actor=coordinator)
    for member in committee[:2]:
        reviews.cast_vote(dataset, {"vote": "approve", "rationale": "Ok."}, actor=member)
    dated(dataset, 6)
    reviews.perform_transition(
        dataset, {"action": "publish", "landing_page": "https://x.example/t"}, actor=coordinator
    )
    dated(dataset, 8)
    reviews.perform_transition(dataset, {"action": "retire", "note": "Gone."}, actor=coordinator)
    dated(dataset, 10)
    db.session.commit()
    return dataset, coordinator


def read(scope, reader, day):
    return [(row["title"], row["status"]) for row in records(scope, reader, as_of=at(day))]


@pytest.mark.parametrize(
    ("day", "full"),
    [
        (1, []),
        (3, [("Trees", "draft")]),
        (5, [("Street Trees", "draft")]),
        (7, [("Street Trees", "approved")]),
        (9, [("Street Trees", "published")]),
        (11, [("Street Trees", "retired")]),
    ],
)
def test_the_record_reads_as_it_stood_at_each_moment(known_history, day, full):
    _, coordinator = known_history
    assert read(Scope.FULL, coordinator, day) == full


@pytest.mark.parametrize(
    ("day", "public"), [(7, []), (9, [("Street Trees", "published")]), (11, [])]
)
def test_the_public_scope_as_of_a_moment(known_history, day, public):
    assert read(Scope.PUBLIC, None, day) == public


def test_the_approved_scope_holds_approved_and_published_records(known_history):
    _, coordinator = known_history
    assert [read(Scope.APPROVED, coordinator, day) for day in (5, 7, 9, 11)] == [
        [],
        [("Street Trees", "approved")],
        [("Street Trees", "published")],
        [],
    ]


def test_the_full_scope_is_refused_not_narrowed(make):
    with pytest.raises(PermissionDenied):
        list(records(Scope.FULL, make.user("stakeholder")))


def test_scopes_never_widen_what_a_reader_may_read(make):
    make.department(code="HD")
    make.dataset(department="HD", classification="restricted", title="Informants")
    make.dataset(department="HD", classification="public", title="Clinics")
    stakeholder = make.user("stakeholder")
    titles = [row["title"] for row in records(Scope.INVENTORY, stakeholder)]
    assert titles == ["Clinics"] and restricted_counts(stakeholder) == {"HD": 1}


def test_a_restricted_record_is_only_counted_as_of_a_moment_too(make):
    make.department(code="HD")
    secret = make.dataset(department="HD", classification="restricted", title="Informants")
    dated(secret, 2)
    db.session.commit()
    stakeholder = make.user("stakeholder")
    assert list(records(Scope.INVENTORY, stakeholder, as_of=at(3))) == []
    assert restricted_counts(stakeholder, as_of=at(3)) == {"HD": 1}
    assert restricted_counts(stakeholder, as_of=at(1)) == {}


def test_records_are_redacted_for_their_reader(make):
    make.department(code="PW")
    steward = make.user("steward", departments=["PW"])
    make.dataset(actor=steward, department="PW", title="Trees")
    stakeholder = make.user("stakeholder")
    (row,) = records(Scope.INVENTORY, stakeholder)
    (own,) = records(Scope.INVENTORY, steward)
    assert (row["version"], own["version"]) == (None, 1)
