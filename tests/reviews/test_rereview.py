"""Re-review rounds: changing the governance of an approved or published dataset asks the
committee again, and the decision in force stays in force until it answers."""

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.datasets.history import history
from registry.datasets.models import DatasetVersion
from registry.errors import InvalidTransition, PermissionDenied
from registry.extensions import db
from registry.notifications.models import Notification
from registry.reviews import services, work
from registry.reviews.rereview import edit_dataset
from registry.reviews.workflow import (
    GOVERNANCE_FIELDS,
    Action,
    Facts,
    Outcome,
    Stage,
    State,
    allowed_actions,
    before_committee,
    stage_of,
    transition,
)

RESTRICT = {
    "classification": "sensitive",
    "access_level": "restricted public",
    "rights": "Municipal Code 2.14",
    "contains_pii": True,
    "pii_kinds": ["contact"],
}
ROLES = ["steward", "coordinator", "committee", "stakeholder", "auditor"]


# The table -------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [State.APPROVED, State.PUBLISHED])
@pytest.mark.parametrize("outcome", list(Outcome))
def test_a_rereview_decision_keeps_the_state_whatever_the_outcome(state, outcome):
    step = transition(
        stage_of(state, proposal_open=True),
        Action.DECIDE,
        ["committee"],
        facts=Facts(is_chair=True),
        note="Minutes",
        outcome=outcome,
    )
    assert step.target == state


def test_the_committee_sits_in_committee_and_in_an_open_rereview():
    assert [stage for stage in Stage if before_committee(stage)] == [
        Stage.IN_COMMITTEE,
        Stage.APPROVED_IN_REREVIEW,
        Stage.PUBLISHED_IN_REREVIEW,
    ]


def test_a_coordinator_may_publish_or_retire_during_a_rereview_but_not_start_another():
    assert allowed_actions(Stage.APPROVED_IN_REREVIEW, ["coordinator"]) == [
        Action.WITHDRAW,
        Action.PUBLISH,
        Action.RETIRE,
    ]
    assert Action.REREVIEW in allowed_actions(Stage.PUBLISHED, ["coordinator"])


# The services ----------------------------------------------------------------------------


@pytest.fixture
def committee(make):
    return [make.user("committee", chair=(number == 0)) for number in range(5)]


@pytest.fixture
def published(make, committee):
    """A public dataset the chair approved and the coordinator published."""
    dataset = make.in_committee()
    chair_approves(dataset, committee[0])
    services.perform_transition(
        dataset,
        {"action": "publish", "landing_page": "https://data.city.example/d/1"},
        actor=make.user("coordinator"),
    )
    db.session.commit()
    return dataset


def chair_approves(dataset, chair):
    services.perform_transition(
        dataset,
        {"action": "decide", "outcome": "approve", "note": "Fine.", "minutes_reference": "GC 1"},
        actor=chair,
    )


def propose(dataset, changes=None, **extra):
    """The dataset's steward edits its governance fields (and perhaps others)."""
    raw = {**(changes or RESTRICT), **extra, "version": dataset.version}
    return edit_dataset(dataset, raw, actor=dataset.steward)


def vote(dataset, member, choice="approve"):
    return services.cast_vote(dataset, {"vote": choice, "rationale": f"{choice} it."}, actor=member)


def test_a_governance_edit_to_a_published_dataset_opens_a_round_and_changes_nothing_yet(
    published,
):
    round_before = published.review_round
    propose(published, spatial="Citywide")
    assert (published.classification, published.access_level, published.contains_pii) == (
        "public",
        "public",
        False,
    )
    assert published.status == "published" and published.spatial == "Citywide"
    assert published.review_round == round_before + 1
    assert published.proposed_governance == {**RESTRICT, "pii_kinds": ["contact"]}
    version = db.session.scalar(
        select(DatasetVersion)
        .where(DatasetVersion.dataset_id == published.id)
        .order_by(DatasetVersion.version.desc())
    )
    assert set(version.changes) == {"spatial", "proposed_governance"}
    assert version.classification == "public"  # in force; the proposal is in the snapshot
    assert version.snapshot["proposed_governance"]["classification"] == "sensitive"


def test_opening_a_round_is_audited_and_tells_the_committee(published, committee):
    propose(published)
    tags = db.session.scalars(
        select(AuditEvent.tag).where(AuditEvent.subject_id == published.identifier)
    ).all()
    assert {"dataset:update", "review:rereview:open"} <= set(tags)
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.subject.contains("re-review opened"))
    ).all()
    assert {member.id for member in committee} <= set(told)


def test_an_edit_that_leaves_the_governance_as_it_is_opens_nothing(published):
    round_before = published.review_round
    propose(published, {"classification": "public", "access_level": "public"}, title="Renamed")
    assert (published.review_round, published.proposed_governance) == (round_before, None)
    assert published.title == "Renamed"


def test_an_invalid_proposal_is_refused_like_an_invalid_edit(published):
    with pytest.raises(ValidationError) as caught:
        propose(published, {"access_level": "non-public"})
    assert "rights" in caught.value.messages
    assert published.proposed_governance is None


def test_the_governance_cannot_change_again_while_the_committee_decides(published):
    propose(published)
    db.session.commit()
    version = published.version
    with pytest.raises(ValidationError, match="withdraw"):
        propose(published, {"classification": "internal"})
    db.session.rollback()
    assert published.version == version and published.proposed_governance["classification"] == (
        "sensitive"
    )


def test_the_governance_cannot_change_while_a_new_submission_is_in_committee(make):
    dataset = make.in_committee()
    with pytest.raises(ValidationError, match="judging"):
        edit_dataset(
            dataset,
            {"classification": "internal", "version": dataset.version},
            actor=dataset.steward,
        )


def test_members_vote_on_the_proposal_and_an_approval_applies_it(published, committee):
    propose(published)
    vote(published, committee[1])
    vote(published, committee[2])
    decision = vote(published, committee[3])
    assert decision.outcome == "approve" and decision.proposal["proposed"]["classification"] == (
        "sensitive"
    )
    assert decision.proposal["in_force"]["classification"] == "public"
    assert (published.status, published.classification, published.access_level) == (
        "published",
        "sensitive",
        "restricted public",
    )
    assert (published.rights, published.contains_pii, published.pii_kinds) == (
        "Municipal Code 2.14",
        True,
        ["contact"],
    )
    assert published.proposed_governance is None
    # Both decisions stay on the record, newest first.
    assert [d.review_round for d in services.decisions(published)] == [
        published.review_round,
        published.review_round - 1,
    ]


@pytest.mark.parametrize("outcome", ["reject", "request_changes"])
def test_any_other_outcome_keeps_the_decision_in_force(published, committee, outcome):
    propose(published)
    for member in committee[1:4]:
        vote(published, member, outcome)
    assert (published.status, published.classification, published.proposed_governance) == (
        "published",
        "public",
        None,
    )
    decision = services.latest_decision(published)
    assert (decision.outcome, decision.classification) == (outcome, "public")


def test_the_history_shows_the_proposal_and_its_application(published, committee, make):
    propose(published)
    for member in committee[1:4]:
        vote(published, member)
    versions, hidden = history(published, make.user("coordinator"))
    assert hidden == 0
    decided, proposed = versions[0], versions[1]
    assert decided.action == "decide" and decided.changes["classification"] == {
        "from": "public",
        "to": "sensitive",
    }
    assert proposed.changes["proposed_governance"]["to"]["classification"] == "sensitive"


def test_a_chair_may_approve_other_terms_but_only_valid_ones(published, committee):
    propose(published)
    meeting = {
        "action": "decide",
        "outcome": "approve",
        "note": "At the meeting.",
        "minutes_reference": "GC 7",
    }
    with pytest.raises(ValidationError) as caught:
        services.perform_transition(
            published,
            {**meeting, "classification": "restricted", "access_level": "public"},
            actor=committee[0],
        )
    assert "access_level" in caught.value.messages
    services.perform_transition(
        published, {**meeting, "access_level": "non-public"}, actor=committee[0]
    )
    assert (published.classification, published.access_level, published.status) == (
        "sensitive",
        "non-public",
        "published",
    )


def test_a_chair_gives_the_legal_basis_when_approving_a_restriction_the_record_lacks(
    make, committee
):
    dataset = make.in_committee(classification="internal")
    raw = {
        "action": "decide",
        "outcome": "approve",
        "note": "At the meeting.",
        "minutes_reference": "GC 8",
        "classification": "sensitive",
    }
    with pytest.raises(ValidationError) as caught:
        services.perform_transition(dataset, raw, actor=committee[0])
    assert list(caught.value.messages) == ["rights"]
    services.perform_transition(dataset, {**raw, "rights": "Code 2.14"}, actor=committee[0])
    assert (dataset.access_level, dataset.rights) == ("restricted public", "Code 2.14")
    assert services.latest_decision(dataset).rights == "Code 2.14"


def test_the_department_withdraws_a_proposal_and_others_may_not(published, make):
    propose(published)
    outsider = make.user("steward")
    with pytest.raises(PermissionDenied):
        services.perform_transition(
            published, {"action": "withdraw", "note": "Mistake."}, actor=outsider
        )
    services.perform_transition(
        published,
        {"action": "withdraw", "note": "Entered on the wrong record."},
        actor=published.steward,
    )
    assert (published.proposed_governance, published.classification, published.status) == (
        None,
        "public",
        "published",
    )
    assert services.decision_for_round(published, published.review_round) is None


def test_no_votes_after_a_withdrawal(published, committee):
    propose(published)
    services.perform_transition(
        published, {"action": "withdraw", "note": "Not needed."}, actor=published.steward
    )
    with pytest.raises(InvalidTransition):
        vote(published, committee[1])


def test_retiring_during_a_rereview_withdraws_the_proposal(published, make):
    propose(published)
    services.perform_transition(
        published, {"action": "retire", "note": "Decommissioned."}, actor=make.user("coordinator")
    )
    assert (published.status, published.proposed_governance) == ("retired", None)


def test_an_approved_dataset_may_be_published_during_its_rereview(make, committee):
    dataset = make.in_committee()
    chair_approves(dataset, committee[0])
    target = dataset.release_target_date
    propose(dataset)
    services.perform_transition(
        dataset,
        {"action": "publish", "landing_page": "https://data.city.example/d/2"},
        actor=make.user("coordinator"),
    )
    assert dataset.status == "published" and dataset.proposed_governance is not None
    for member in committee[1:4]:
        vote(dataset, member)
    assert dataset.classification == "sensitive" and dataset.release_target_date == target


def test_a_periodic_rereview_asks_the_committee_to_confirm_what_is_in_force(
    published, committee, make
):
    services.perform_transition(published, {"action": "rereview"}, actor=make.user("coordinator"))
    assert published.proposed_governance == {
        "classification": "public",
        "access_level": "public",
        "rights": None,
        "contains_pii": False,
        "pii_kinds": [],
    }
    assert not services.due_for_rereview(published)
    assert work.work_queues(committee[1])["awaiting_vote"] == [published]
    for member in committee[1:4]:
        vote(published, member)
    assert services.latest_decision(published).outcome == "approve"
    assert published.approved_on == services.latest_decision(published).decided_at.date()
    assert published.classification == "public" and published.proposed_governance is None


def test_the_queues_show_open_rereviews(published, committee, make):
    propose(published)
    assert work.work_queues(make.user("coordinator"))["in_rereview"] == [published]
    assert work.work_queues(published.steward)["in_rereview"] == [published]
    assert published in work.work_queues(committee[1])["awaiting_vote"]


# What people see -------------------------------------------------------------------------


def test_the_public_still_sees_the_published_record_and_not_the_proposal(client, published):
    propose(published, {**RESTRICT, "classification": "restricted", "access_level": "non-public"})
    db.session.commit()
    page = client.get(f"/datasets/{published.identifier}")
    assert page.status_code == 200
    assert "Re-review open" not in page.text and "restricted" not in page.text.lower()
    body = client.get(f"/api/v1/datasets/{published.identifier}").get_json()
    assert (body["classification"], body["proposed_governance"]) == ("public", None)
    history = client.get(f"/api/v1/datasets/{published.identifier}/history").get_json()
    # The record was never restricted: nothing is hidden, counted or named.
    assert history["hidden_versions"] == 0
    assert "proposed_governance" not in str(history["items"]) and body["version"] is None


def test_an_open_proposal_is_deliberation_the_public_does_not_see(client, published, make, sign_in):
    propose(published)
    db.session.commit()
    page = client.get(f"/datasets/{published.identifier}")
    assert "Re-review open" not in page.text and "Municipal Code 2.14" not in page.text
    assert "review round" not in page.text
    history = client.get(f"/api/v1/datasets/{published.identifier}/history").get_json()
    assert "proposed_governance" not in str(history) and "Municipal" not in str(history)
    assert [item["version"] for item in history["items"]] == list(
        range(len(history["items"]), 0, -1)
    )
    sign_in(make.user("stakeholder"))
    assert "Municipal Code 2.14" in client.get(f"/datasets/{published.identifier}").text


def test_a_rejected_proposal_to_restrict_stays_hidden_from_the_public(
    client, published, committee, make, sign_in
):
    propose(published, {**RESTRICT, "classification": "restricted", "access_level": "non-public"})
    for member in committee[1:4]:
        vote(published, member, "reject")
    db.session.commit()
    rounds = [d.review_round for d in services.decisions(published)]
    assert client.get(f"/datasets/{published.identifier}/decisions/{rounds[0]}").status_code == 404
    assert client.get(f"/datasets/{published.identifier}/decisions/{rounds[1]}").status_code == 200
    sign_in(make.user("auditor"))
    assert client.get(f"/datasets/{published.identifier}/decisions/{rounds[0]}").status_code == 200


def test_the_committee_sees_the_proposal_beside_what_is_in_force(
    client, published, committee, sign_in
):
    propose(published)
    db.session.commit()
    sign_in(committee[1])
    page = client.get(f"/datasets/{published.identifier}")
    assert "Re-review open" in page.text and "Municipal Code 2.14" in page.text
    assert "In force" in client.get(f"/datasets/{published.identifier}/vote").text


def test_the_edit_form_says_a_governance_change_opens_a_rereview(client, published, sign_in):
    sign_in(published.steward)
    page = client.get(f"/datasets/{published.identifier}/edit")
    assert "opens a re-review" in page.text


def test_the_api_edit_answers_with_the_proposal_and_the_transition_withdraws_it(
    client, published, make
):
    token = make.token(published.steward).secret
    headers = {"Authorization": f"Bearer {token}"}
    response = client.patch(
        f"/api/v1/datasets/{published.identifier}",
        json={**RESTRICT, "version": published.version},
        headers=headers,
    )
    body = response.get_json()
    assert (response.status_code, body["classification"]) == (200, "public")
    assert body["proposed_governance"]["classification"] == "sensitive"
    again = client.patch(
        f"/api/v1/datasets/{published.identifier}",
        json={"classification": "internal", "version": body["version"]},
        headers=headers,
    )
    assert again.status_code == 422
    response = client.post(
        f"/api/v1/datasets/{published.identifier}/transitions",
        json={"action": "withdraw", "note": "Wrong record."},
        headers=headers,
    )
    assert (response.status_code, response.get_json()["proposed_governance"]) == (200, None)


def test_governance_fields_are_the_ones_the_issue_names():
    assert set(GOVERNANCE_FIELDS) == {
        "classification",
        "access_level",
        "rights",
        "contains_pii",
        "pii_kinds",
    }


def test_a_retired_record_is_not_due_for_rereview(published, make):
    services.perform_transition(
        published, {"action": "retire", "note": "Gone."}, actor=make.user("coordinator")
    )
    assert not services.due_for_rereview(published, today=published.published_on.replace(year=2099))


def test_the_chair_decides_a_rereview_from_the_page_and_errors_say_where(
    client, published, committee, sign_in
):
    propose(published, {"classification": "internal"})
    db.session.commit()
    sign_in(committee[0])
    path = f"/datasets/{published.identifier}/actions/decide"
    page = client.get(path)
    assert "A re-review round" in page.text and "As proposed (2 · Internal)" in page.text
    form = {
        "outcome": "approve",
        "minutes_reference": "GC 9",
        "note": "Agreed.",
        "classification": "restricted",
    }
    refused = client.post(path, data=form)
    assert refused.status_code == 422 and "legal basis" in refused.text
    assert published.classification == "public"
    done = client.post(path, data={**form, "classification": ""}, follow_redirects=True)
    assert done.status_code == 200 and "decision on the proposed change to" in done.text
    db.session.refresh(published)
    assert (published.classification, published.proposed_governance) == ("internal", None)
