"""Moving datasets through review, and what each person's review work is.

Whether a transition may happen is only ever asked of reviews.workflow; this module adds the
rules that need stored data (department, chair, recusal, completeness) and applies the step
through reviews.steps, in the caller's transaction. The committee's votes and decisions live in
reviews.committee, re-exported here so callers have one entry point.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select

from registry.accounts.models import User
from registry.datasets.models import Dataset, DatasetVersion
from registry.datasets.permissions import can_edit_dataset, can_read_version
from registry.datasets.services import lock_for_update, snapshot
from registry.errors import PermissionDenied
from registry.extensions import db
from registry.permissions import Role
from registry.reviews import rereview
from registry.reviews.committee import (
    cast_vote,
    chair_decision,
    check_can_vote,
    committee_members,
    current_votes,
    decision_for_round,
    decisions,
    get_settings,
    is_recused,
    latest_approval,
    latest_decision,
    quorum_needed,
    record_recusals,
    round_state,
    tally,
    update_settings,
)
from registry.reviews.models import Decision, Vote
from registry.reviews.schemas import TransitionIn
from registry.reviews.steps import approval_updates, move
from registry.reviews.workflow import (
    ACTION_LABELS,
    CLOSES_REREVIEW,
    DECIDED_STATES,
    Action,
    Outcome,
    State,
    before_committee,
    transition,
)
from registry.validation import load_input, raise_for

# What a committee needs in front of it to judge a dataset.
REQUIRED_FOR_REVIEW = {
    "description": "a description",
    "keywords": "keywords",
    "themes": "a theme",
    "contact_name": "a contact name",
    "contact_email": "a contact email",
    "steward": "a steward",
    "update_frequency": "an update frequency",
}


def missing_for_review(dataset: Dataset) -> list[str]:
    record = snapshot(dataset)
    return [label for field, label in REQUIRED_FOR_REVIEW.items() if not record.get(field)]


def check_object_rules(dataset: Dataset, action: Action, actor) -> None:
    """Rules of the table's roles that depend on the record: whose department, who chairs."""
    roles = actor.role_set
    departmental = action in {Action.SUBMIT, Action.RESUBMIT, Action.REREVIEW, Action.WITHDRAW}
    if departmental and Role.COORDINATOR not in roles and not can_edit_dataset(actor, dataset):
        raise PermissionDenied(
            f"“{ACTION_LABELS[action]}” is for the dataset's own department or a coordinator."
        )
    if action == Action.DECIDE:
        if not actor.is_chair:
            raise PermissionDenied("Only a chair records the committee's decision.")
        if is_recused(actor, dataset):
            raise PermissionDenied("You are recused from this dataset.")


def perform_transition(dataset: Dataset, raw: dict[str, Any], *, actor) -> Dataset:
    """Applies one step to the record as it stands once locked: a step that raced another (two
    chairs deciding, a chair and the deciding vote) finds the state the winner left and is
    refused as an invalid transition, 409, never a clash in the database."""
    data, errors = load_input(TransitionIn(), raw)
    raise_for(errors)
    lock_for_update(dataset)
    action = data["action"]
    roles = actor.role_set if actor is not None else frozenset()
    open_round = rereview.is_open(dataset)
    try:
        target = transition(
            State(dataset.status),
            action,
            roles,
            note=data["note"],
            outcome=data["outcome"],
            rereview=open_round,
        )
    except ValueError as missing:
        field = str(missing)
        message = {
            "note": "Say why: this is a judgement, and the record keeps the reason.",
            "outcome": "Choose the committee's decision.",
        }[field]
        raise ValidationError({field: [message]}) from None
    check_object_rules(dataset, action, actor)
    if action in {Action.SUBMIT, Action.RESUBMIT}:
        missing = missing_for_review(dataset)
        if missing:
            raise ValidationError(
                {
                    "_schema": [
                        "Complete the record before submitting it: add " + ", ".join(missing) + "."
                    ]
                }
            )
    details: dict[str, Any] = {}
    updates: dict[str, Any] = {}
    notice = None
    if action == Action.SEND_TO_COMMITTEE:
        updates["review_round"] = dataset.review_round + 1
    if action == Action.REREVIEW:
        # The committee confirms or changes the governance in force, as it stands now.
        updates["review_round"] = dataset.review_round + 1
        updates["proposed_governance"] = rereview.in_force(dataset)
        notice = "opened"
    if action == Action.DECIDE:
        decision = chair_decision(dataset, data, actor)
        details["decision"] = decision.id
        updates.update(approval_updates(dataset, decision))
        notice = decision.outcome if open_round else None
    elif open_round and action in CLOSES_REREVIEW:
        updates["proposed_governance"] = None  # withdrawn: the decision in force stands
        details["withdrew_proposal"] = dataset.review_round
        notice = "withdrawn" if action == Action.WITHDRAW else None
    if action == Action.PUBLISH:
        publication = _publication(dataset, data)
        updates.update(publication)
        details["published_on"] = publication["published_on"].isoformat()
        details["on_time"] = _on_time(dataset, publication["published_on"])
    move(
        dataset,
        target,
        action=str(action),
        actor=actor,
        note=data["note"],
        details=details,
        updates=updates,
        notice=notice,
    )
    if action == Action.SEND_TO_COMMITTEE:
        record_recusals(dataset, actor)
    if action == Action.REREVIEW:
        rereview.announce_round(
            dataset, actor=actor, note=data["note"], via="rereview", notify=False
        )
    return dataset


def _publication(dataset: Dataset, data: dict[str, Any]) -> dict[str, Any]:
    """Publication needs where the public finds the data (the landing page, the record's own
    unless another is given) and at least one distribution to download or access it."""
    landing_page = data.get("landing_page") or dataset.landing_page
    distributions = data.get("distributions")
    if distributions is None:
        distributions = dataset.distributions or []
    errors: dict[str, list[str]] = {}
    if not landing_page:
        errors["landing_page"] = ["Give the page where the public finds the data."]
    if not distributions:
        errors["distributions"] = [
            "Add at least one distribution: a download URL with its media type, or an access URL."
        ]
    raise_for(errors)
    published_on = data.get("published_on") or date.today()
    return {
        "landing_page": landing_page,
        "published_on": published_on,
        "issued": dataset.issued or published_on,
        "distributions": [
            {key: value for key, value in item.items() if value is not None}
            for item in distributions
        ],
    }


def _on_time(dataset: Dataset, published_on: date) -> bool:
    return dataset.release_target_date is None or published_on <= dataset.release_target_date


# Votes and decisions -----------------------------------------------------------------------


def is_overdue(dataset: Dataset, today: date | None = None) -> bool:
    """Approved, not yet published, and past the release target date."""
    today = today or date.today()
    return (
        dataset.status == State.APPROVED
        and dataset.release_target_date is not None
        and today > dataset.release_target_date
    )


def published_late(dataset: Dataset) -> bool:
    return (
        dataset.published_on is not None
        and dataset.release_target_date is not None
        and dataset.published_on > dataset.release_target_date
    )


def due_for_rereview(dataset: Dataset, today: date | None = None) -> bool:
    """The last classification decision is older than the re-review interval."""
    if dataset.status not in DECIDED_STATES or rereview.is_open(dataset):
        return False  # not released or releasable, or the committee is looking at it now
    decision = latest_approval(dataset)
    if decision is None:
        return False
    today = today or date.today()
    return (today - decision.decided_at.date()).days > get_settings().rereview_days


def latest_submission(dataset: Dataset, user) -> dict[str, Any] | None:
    """Who last submitted the record for review, when, and what they said, if this user may read
    the version it made."""
    row = db.session.execute(
        select(DatasetVersion, User.name)
        .outerjoin(User, User.id == DatasetVersion.changed_by_id)
        .where(
            DatasetVersion.dataset_id == dataset.id,
            DatasetVersion.action.in_([str(Action.SUBMIT), str(Action.RESUBMIT)]),
        )
        .order_by(DatasetVersion.version.desc())
        .limit(1)
    ).first()
    if row is None or not can_read_version(user, dataset, row[0].classification):
        return None
    version, name = row
    return {"by": name or "the registry", "at": version.changed_at, "note": version.note}


def review_summary(dataset: Dataset, user) -> dict[str, Any]:
    """What the dataset page shows of its review to this user."""
    from registry.reviews.permissions import available_actions, can_read_votes, can_vote

    late = published_late(dataset)
    open_round = rereview.is_open(dataset)
    readable = [d for d in decisions(dataset) if rereview.decision_readable_by(user, dataset, d)]
    actions = available_actions(user, dataset)
    submitting = {Action.SUBMIT, Action.RESUBMIT} & set(actions)
    summary: dict[str, Any] = {
        "actions": actions,
        # Said before the button is pressed: what the record lacks to be submitted.
        "missing": missing_for_review(dataset) if submitting else [],
        "submission": latest_submission(dataset, user),
        "decisions": readable,
        # Those who may not read the proposal see the record as it stands, round and all.
        "proposal": dataset.proposed_governance
        if rereview.proposal_readable_by(user, dataset)
        else None,
        "in_force": rereview.in_force(dataset),
        "show_round": not open_round or rereview.proposal_readable_by(user, dataset),
        "overdue": is_overdue(dataset),
        "late": late,
        "on_time": dataset.published_on is not None and not late,
        "due_for_rereview": due_for_rereview(dataset),
        "can_vote": can_vote(user, dataset),
        "show_votes": can_read_votes(user) and before_committee(State(dataset.status), open_round),
    }
    if summary["show_votes"] or summary["can_vote"]:
        state = round_state(dataset)
        summary.update(
            votes=state.votes,
            tally=tally(state.counted),
            quorum=state.quorum,
            eligible=state.eligible,
            my_vote=next((vote for vote in state.votes if vote.member_id == user.id), None),
        )
    return summary


def work_queues(user, today: date | None = None) -> dict[str, list[Dataset]]:
    """What waits for this person, by role; a queue appears only for roles they hold."""
    today = today or date.today()
    roles = user.role_set
    queues: dict[str, list[Dataset]] = {}
    if Role.STEWARD in roles and user.departments:
        mine = Dataset.department_id.in_([department.id for department in user.departments])
        queues["drafts"] = _datasets(mine, Dataset.status == State.DRAFT)
        queues["changes_requested"] = _datasets(mine, Dataset.status == State.CHANGES_REQUESTED)
        queues["in_rereview"] = _datasets(mine, Dataset.proposed_governance.is_not(None))
    if Role.COORDINATOR in roles:
        queues["to_triage"] = _datasets(Dataset.status == State.SUBMITTED)
        queues["overdue"] = _datasets(
            Dataset.status == State.APPROVED, Dataset.release_target_date < today
        )
        queues["to_publish"] = _datasets(
            Dataset.status == State.APPROVED,
            (Dataset.release_target_date >= today) | Dataset.release_target_date.is_(None),
        )
        queues["due_for_rereview"] = _due_for_rereview(today)
        queues["in_rereview"] = _datasets(Dataset.proposed_governance.is_not(None))
    if Role.COMMITTEE in roles:
        voted = select(Vote.dataset_id).where(
            Vote.member_id == user.id, Vote.review_round == Dataset.review_round
        )
        before = (Dataset.status == State.IN_COMMITTEE) | Dataset.proposed_governance.is_not(None)
        candidates = _datasets(before, ~Dataset.id.in_(voted))
        queues["awaiting_vote"] = [d for d in candidates if not is_recused(user, d)]
    return queues


def _datasets(*conditions) -> list[Dataset]:
    query = select(Dataset).where(*conditions)
    return list(db.session.scalars(query.order_by(Dataset.release_target_date, Dataset.title)))


def _due_for_rereview(today: date) -> list[Dataset]:
    """Released or releasable records whose last approval is older than the interval."""
    last_approval = (
        select(Decision.dataset_id, func.max(Decision.decided_at).label("decided_at"))
        .where(Decision.outcome == str(Outcome.APPROVE))
        .group_by(Decision.dataset_id)
        .subquery()
    )
    cutoff = today - timedelta(days=get_settings().rereview_days)
    query = (
        select(Dataset)
        .join(last_approval, last_approval.c.dataset_id == Dataset.id)
        .where(
            Dataset.status.in_([State.APPROVED, State.PUBLISHED]),
            Dataset.proposed_governance.is_(None),
            last_approval.c.decided_at < datetime.combine(cutoff, time.min, UTC),
        )
        .order_by(Dataset.title)
    )
    return list(db.session.scalars(query))


__all__ = [
    "REQUIRED_FOR_REVIEW",
    "cast_vote",
    "check_can_vote",
    "check_object_rules",
    "committee_members",
    "current_votes",
    "decision_for_round",
    "decisions",
    "due_for_rereview",
    "get_settings",
    "is_overdue",
    "is_recused",
    "latest_approval",
    "latest_decision",
    "missing_for_review",
    "perform_transition",
    "published_late",
    "quorum_needed",
    "review_summary",
    "round_state",
    "tally",
    "update_settings",
    "work_queues",
]
