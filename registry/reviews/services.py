"""Moving datasets through review, and what each person's review work is.

Whether a step may happen, and what it does, is only ever asked of reviews.workflow; this module
gathers the facts it needs (reviews.permissions), applies the step's effects, one function each,
and moves the record through reviews.steps, in the caller's transaction. The committee's votes
and decisions live in reviews.committee, re-exported here so callers have one entry point.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from registry.accounts.models import User
from registry.datasets.governance import TO_CONFIRM, in_force, proposal_open, stage
from registry.datasets.models import Dataset, DatasetVersion
from registry.datasets.services import lock_for_update
from registry.datasets.snapshots import snapshot
from registry.datasets.visibility import RELEASABLE, can_read_level
from registry.db import utctoday
from registry.extensions import db
from registry.reviews import rereview
from registry.reviews.committee import (
    cast_vote,
    chair_terms,
    check_can_vote,
    committee_members,
    current_votes,
    decide,
    decision_for_round,
    decisions,
    get_settings,
    latest_decision,
    quorum_needed,
    record_recusals,
    round_state,
    tally,
    update_settings,
)
from registry.reviews.permissions import (
    available_actions,
    can_read_votes,
    can_vote,
    facts_for,
    is_recused,
)
from registry.reviews.requirements import missing_for_review
from registry.reviews.schemas import TransitionIn
from registry.reviews.steps import StepChanges, move
from registry.reviews.workflow import (
    Action,
    Effect,
    Facts,
    MissingInput,
    before_committee,
    transition,
)
from registry.validation import load_input, raise_for

AfterMove = Callable[[], None] | None


def _new_round(dataset, data, actor, changes: StepChanges) -> AfterMove:
    changes.updates["review_round"] = dataset.review_round + 1
    return lambda: record_recusals(dataset, actor)


def _open_rereview(dataset, data, actor, changes: StepChanges) -> AfterMove:
    """The committee confirms or changes the governance in force, as it stands now."""
    changes.updates["review_round"] = dataset.review_round + 1
    changes.updates["proposed_governance"] = in_force(dataset)
    changes.notice = "opened"
    return lambda: rereview.announce_round(
        dataset, actor=actor, note=data["note"], via="rereview", notify=False
    )


def _close_rereview(dataset, data, actor, changes: StepChanges) -> AfterMove:
    changes.closed_proposal = dataset.proposed_governance
    changes.updates["proposed_governance"] = None  # the decision in force stands
    changes.details["withdrew_proposal"] = dataset.review_round
    if data["action"] == Action.WITHDRAW:
        changes.notice = "withdrawn"
    return None


def _publication(dataset, data, actor, changes: StepChanges) -> AfterMove:
    published_on = data.get("published_on") or utctoday()
    changes.updates.update(
        landing_page=data.get("landing_page") or dataset.landing_page,
        published_on=published_on,
        issued=dataset.issued or published_on,
        distributions=[
            {key: value for key, value in item.items() if value is not None}
            for item in _distributions(dataset, data)
        ],
    )
    changes.details["published_on"] = published_on.isoformat()
    on_time = dataset.release_target_date is None or published_on <= dataset.release_target_date
    changes.details["on_time"] = on_time
    return None


def _record_decision(dataset, data, actor, changes: StepChanges) -> AfterMove:
    return None  # the decision moves the record itself (committee.decide)


def _prior_release(dataset, data, actor, changes: StepChanges) -> AfterMove:
    """Its date is the source's (record_prior_release sets it); nothing else follows."""
    return None


EFFECTS: dict[Effect, Callable[..., AfterMove]] = {
    Effect.PRIOR_RELEASE: _prior_release,
    Effect.NEW_ROUND: _new_round,
    Effect.OPEN_REREVIEW: _open_rereview,
    Effect.CLOSE_REREVIEW: _close_rereview,
    Effect.PUBLICATION: _publication,
    Effect.RECORD_DECISION: _record_decision,
}


def _distributions(dataset, data) -> list:
    given = data.get("distributions")
    return dataset.distributions or [] if given is None else given


def perform_transition(dataset: Dataset, raw: dict[str, Any], *, actor) -> Dataset:
    """Applies one step to the record as it stands once locked: a step that raced another (two
    chairs deciding, a chair and the deciding vote) finds the state the winner left and is
    refused as an invalid transition, 409, never a clash in the database."""
    data, errors = load_input(TransitionIn(), raw)
    raise_for(errors)
    lock_for_update(dataset)
    action = data["action"]
    publication = None
    if action == Action.PUBLISH:
        landing_page = data.get("landing_page") or dataset.landing_page
        publication = {"landing_page": landing_page, "distributions": _distributions(dataset, data)}
    roles = actor.role_set if actor is not None else frozenset()
    try:
        step = transition(
            stage(dataset),
            action,
            roles,
            facts=facts_for(dataset, actor, publication),
            note=data["note"],
            outcome=data["outcome"],
        )
    except MissingInput as missing:
        raise ValidationError(
            {field: [message] for field, message in missing.problems.items()}
        ) from None
    changes = StepChanges()
    after = [EFFECTS[effect](dataset, data, actor, changes) for effect in step.effects]
    if Effect.RECORD_DECISION in step.effects:
        decide(
            dataset,
            data["outcome"],
            actor=actor,
            method="chair",
            note=data["note"],
            votes=round_state(dataset).counted,
            changes=changes,
            **chair_terms(dataset, data),
        )
    else:
        move(
            dataset,
            step.target,
            action=str(action),
            actor=actor,
            note=data["note"],
            changes=changes,
        )
    for hook in after:
        if hook is not None:
            hook()
    return dataset


def record_prior_release(
    dataset: Dataset, *, actor, published_on: date | None, source: str
) -> Dataset:
    """A release made before the registry, read by an import from the record's own source (a
    portal's catalog, an inventory's status column): the record is published as of the date
    the source gives (unknown if none), without a second trip through the committee, and the
    audit log says it was released before the registry and which import said so. Only a level
    that allows release is ever published this way."""
    if dataset.classification not in RELEASABLE or TO_CONFIRM in dataset.attention:
        raise ValidationError(
            {"classification": ["Only a record whose level allows release can be published."]}
        )
    lock_for_update(dataset)
    roles = actor.role_set if actor is not None else frozenset()
    step = transition(
        stage(dataset), Action.RECORD_PRIOR_RELEASE, roles, facts=Facts(released_before=True)
    )
    changes = StepChanges(
        updates={"published_on": published_on},
        details={"released_before_registry": True, "source": source},
    )
    move(
        dataset,
        step.target,
        action=str(Action.RECORD_PRIOR_RELEASE),
        actor=actor,
        note="Released before the registry.",
        changes=changes,
    )
    return dataset


# What the pages and the API read of a review ----------------------------------------------


def due_for_rereview(dataset: Dataset, today: date | None = None) -> bool:
    return dataset.is_due_for_rereview(today or utctoday(), get_settings().rereview_days)


def decision_readable(user, dataset: Dataset, decision) -> bool:
    return rereview.decision_readable_by(user, dataset, decision)


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
    if row is None or not can_read_level(user, dataset, row[0].classification):
        return None
    version, name = row
    return {"by": name or "the registry", "at": version.changed_at, "note": version.note}


def review_summary(dataset: Dataset, user) -> dict[str, Any]:
    """What the dataset page shows of its review to this user."""
    today = utctoday()
    readable = [d for d in decisions(dataset) if decision_readable(user, dataset, d)]
    actions = available_actions(user, dataset)
    submitting = {Action.SUBMIT, Action.RESUBMIT} & set(actions)
    proposal = rereview.readable_proposal(user, dataset)
    summary: dict[str, Any] = {
        "actions": actions,
        # Said before the button is pressed: what the record lacks to be submitted.
        "missing": missing_for_review(snapshot(dataset)) if submitting else [],
        "submission": latest_submission(dataset, user),
        "decisions": readable,
        # Those who may not read the proposal see the record as it stands, and no round.
        "proposal": proposal,
        "in_force": in_force(dataset),
        "show_round": rereview.shows_rounds(user, dataset),
        "overdue": dataset.is_overdue(today),
        "late": dataset.published_late,
        "on_time": dataset.published_on_time,
        "due_for_rereview": due_for_rereview(dataset, today),
        "can_vote": can_vote(user, dataset),
        "show_votes": can_read_votes(user) and before_committee(stage(dataset)),
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


__all__ = [
    "cast_vote",
    "check_can_vote",
    "committee_members",
    "current_votes",
    "decision_for_round",
    "decision_readable",
    "decisions",
    "due_for_rereview",
    "get_settings",
    "is_recused",
    "latest_decision",
    "perform_transition",
    "proposal_open",
    "quorum_needed",
    "record_prior_release",
    "review_summary",
    "round_state",
    "tally",
    "update_settings",
]
