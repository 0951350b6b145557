"""Quorum, majority, recusal, changed votes, chair decisions, and what a decision fixes."""

from datetime import date, timedelta

import pytest
from marshmallow import ValidationError
from sqlalchemy import func, select

from registry.db import utctoday
from registry.errors import InvalidTransition, PermissionDenied
from registry.extensions import db
from registry.reviews import services
from registry.reviews.models import Decision


@pytest.fixture
def committee(make):
    """Five members, one of them chair."""
    return [make.user("committee", chair=(number == 0)) for number in range(5)]


def vote(dataset, member, choice="approve", rationale="Meets the policy.", **extra):
    return services.cast_vote(
        dataset, {"vote": choice, "rationale": rationale, **extra}, actor=member
    )


def test_the_default_quorum_is_a_majority_of_active_members(committee):
    assert services.quorum_needed(services.get_settings(), services.committee_members()) == 3


def test_no_decision_before_quorum(make, committee):
    dataset = make.in_committee()
    vote(dataset, committee[1])
    assert vote(dataset, committee[2]) is None and dataset.status == "in_committee"


def test_quorum_with_a_majority_decides(make, committee):
    dataset = make.in_committee()
    vote(dataset, committee[1])
    vote(dataset, committee[2], "reject")
    decision = vote(dataset, committee[3])
    assert (decision.outcome, decision.method, dataset.status) == ("approve", "votes", "approved")
    assert decision.tally == {"approve": 2, "reject": 1, "request_changes": 0}


def test_quorum_without_a_majority_waits(make, committee):
    dataset = make.in_committee()
    vote(dataset, committee[1], "approve")
    vote(dataset, committee[2], "reject")
    assert vote(dataset, committee[3], "request_changes") is None


def test_a_member_may_change_their_vote_until_the_decision(make, committee):
    dataset = make.in_committee()
    vote(dataset, committee[1], "reject")
    vote(dataset, committee[1], "approve", rationale="Convinced by the de-identification plan.")
    votes = services.current_votes(dataset)
    assert [(v.vote, v.rationale) for v in votes] == [
        ("approve", "Convinced by the de-identification plan.")
    ]


def test_votes_close_when_the_decision_falls(make, committee):
    dataset = make.in_committee()
    for member in committee[1:4]:
        vote(dataset, member)
    with pytest.raises(InvalidTransition):
        vote(dataset, committee[4], "reject")


def test_a_member_of_the_department_is_recused_and_not_counted(make, committee):
    make.department(code="HD")
    colleague = make.user("committee", departments=["HD"])
    dataset = make.in_committee("HD")
    with pytest.raises(PermissionDenied, match="recused"):
        vote(dataset, colleague)


def test_recusals_are_recorded_when_a_dataset_reaches_the_committee(make, committee):
    from registry.audit.models import AuditEvent
    from registry.audit.tags import Tag

    make.department(code="HD")
    colleague = make.user("committee", departments=["HD"])
    dataset = make.in_committee("HD")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == Tag.REVIEW_RECUSAL))
    assert (event.subject_id, event.payload["members"]) == (dataset.identifier, [colleague.email])


def test_only_committee_members_vote(make, committee):
    dataset = make.in_committee()
    with pytest.raises(PermissionDenied):
        vote(dataset, make.user("coordinator"))


def test_a_vote_needs_a_rationale(make, committee):
    dataset = make.in_committee()
    with pytest.raises(ValidationError) as caught:
        vote(dataset, committee[1], rationale="")
    assert "rationale" in caught.value.messages


def test_an_approval_fixes_the_release_target_date_from_the_deadline(make, committee):
    dataset = make.in_committee()
    for member in committee[1:4]:
        vote(dataset, member)
    assert dataset.release_target_date == utctoday() + timedelta(days=90)


def test_a_chair_records_a_meeting_decision_with_its_own_terms(make, committee):
    dataset = make.in_committee(classification="internal")
    services.perform_transition(
        dataset,
        {
            "action": "decide",
            "outcome": "approve",
            "note": "Approved at the March meeting.",
            "minutes_reference": "GC minutes 2026-03-12, item 4",
            "classification": "sensitive",
            "access_level": "restricted public",
            "rights": "Municipal Code 2.14",
            "conditions": "Aggregate to census tract.",
            "release_target_date": "2026-12-31",
        },
        actor=committee[0],
    )
    decision = services.latest_decision(dataset)
    assert (decision.method, decision.conditions, dataset.classification, dataset.status) == (
        "chair",
        "Aggregate to census tract.",
        "sensitive",
        "approved",
    )
    assert dataset.release_target_date == date(2026, 12, 31)


def test_only_a_chair_records_a_decision(make, committee):
    dataset = make.in_committee()
    with pytest.raises(PermissionDenied, match="chair"):
        services.perform_transition(
            dataset,
            {"action": "decide", "outcome": "reject", "note": "No.", "minutes_reference": "M1"},
            actor=committee[1],
        )


def test_a_chair_decision_cites_the_minutes(make, committee):
    dataset = make.in_committee()
    with pytest.raises(ValidationError) as caught:
        services.perform_transition(
            dataset, {"action": "decide", "outcome": "reject", "note": "No."}, actor=committee[0]
        )
    assert "minutes_reference" in caught.value.messages


def test_a_quorum_setting_overrides_the_majority(make, committee):
    services.update_settings(
        {"quorum": 2, "release_deadline_days": 30, "rereview_days": 365},
        actor=make.user("coordinator"),
    )
    dataset = make.in_committee()
    vote(dataset, committee[1])
    decision = vote(dataset, committee[2])
    assert decision.release_target_date == utctoday() + timedelta(days=30)


def test_only_one_decision_per_round_in_the_database(make, committee):
    dataset = make.in_committee()
    for member in committee[1:4]:
        vote(dataset, member)
    duplicate = Decision(
        dataset_id=dataset.id,
        review_round=dataset.review_round,
        outcome="reject",
        classification="public",
        access_level="public",
        method="votes",
        tally={},
        votes=[],
    )
    db.session.add(duplicate)
    with pytest.raises(Exception, match=r"(?i)unique"):
        db.session.flush()


def test_publication_on_or_before_the_target_is_on_time(make, committee):
    from registry.audit.models import AuditEvent

    dataset = make.in_committee()
    for member in committee[1:4]:
        vote(dataset, member)
    services.perform_transition(
        dataset,
        {"action": "publish", "landing_page": "https://data.riverton.example/trees"},
        actor=make.user("coordinator"),
    )
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.tag == "dataset:transition")
        .order_by(AuditEvent.seq.desc())
    ).first()
    assert (dataset.status, dataset.published_on, event.payload["on_time"]) == (
        "published",
        utctoday(),
        True,
    )


def test_publication_needs_a_landing_page(make, committee):
    dataset = make.in_committee()
    for member in committee[1:4]:
        vote(dataset, member)
    with pytest.raises(ValidationError) as caught:
        services.perform_transition(dataset, {"action": "publish"}, actor=make.user("coordinator"))
    assert "landing_page" in caught.value.messages


def test_submitting_an_incomplete_record_says_what_is_missing(make):
    steward = make.user("steward")
    dataset = make.dataset(actor=steward, department=steward.department_codes[0])
    with pytest.raises(ValidationError) as caught:
        services.perform_transition(dataset, {"action": "submit"}, actor=steward)
    assert "keywords" in caught.value.messages["_schema"][0]


def test_each_step_is_one_version_in_the_history(make, committee):
    from registry.datasets.history import history

    dataset = make.in_committee()
    versions, _ = history(dataset, make.user("auditor"))
    assert [(v.version, v.action) for v in versions] == [
        (3, "send_to_committee"),
        (2, "submit"),
        (1, "create"),
    ]


def test_settings_changes_are_validated_and_audited(make):
    from registry.audit.models import AuditEvent

    coordinator = make.user("coordinator")
    with pytest.raises(ValidationError):
        services.update_settings(
            {"quorum": 0, "release_deadline_days": 90, "rereview_days": 365}, actor=coordinator
        )
    services.update_settings(
        {"quorum": None, "release_deadline_days": 60, "rereview_days": 365}, actor=coordinator
    )
    count = db.session.scalar(
        select(func.count()).where(AuditEvent.tag == "review:settings:update")
    )
    assert (services.get_settings().release_deadline_days, count) == (60, 1)


@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_database_refuses_to_change_a_decision(make, committee, change):
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DatabaseError

    dataset = make.in_committee()
    for member in committee[1:4]:
        vote(dataset, member)
    statement = (
        update(Decision).values(outcome="reject") if change == "update" else delete(Decision)
    )
    with pytest.raises(DatabaseError, match="final"), db.session.begin_nested():
        db.session.execute(statement)


def test_published_decisions_name_members_but_never_their_addresses(client, make, committee):
    dataset = make.in_committee()
    for member in committee[1:4]:
        vote(dataset, member)
    db.session.commit()
    token = make.token(make.user("stakeholder")).secret
    body = client.get(
        f"/api/v1/datasets/{dataset.identifier}/decisions",
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()
    votes = body["items"][0]["votes"]
    assert votes[0]["name"] == committee[1].name and "@" not in str(body)
