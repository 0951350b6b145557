"""Moving datasets through review: transitions, the committee's settings, votes and decisions.

Whether a transition may happen is only ever asked of reviews.workflow; this module adds the
rules that need stored data (department, recusal, completeness, quorum) and writes the change,
its version and its audit event in the caller's transaction.
"""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select

from registry.accounts.models import User, UserRole
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.models import Dataset
from registry.datasets.permissions import can_edit_dataset
from registry.datasets.services import keep_transition_version, snapshot
from registry.db import utcnow
from registry.errors import InvalidTransition, PermissionDenied
from registry.extensions import db
from registry.permissions import Role
from registry.reviews.models import CommitteeSettings, Decision, Vote
from registry.reviews.notify import notify_next
from registry.reviews.schemas import SettingsIn, TransitionIn, VoteIn
from registry.reviews.workflow import OUTCOME_STATES, Action, Outcome, State, transition
from registry.schemas import load_input, raise_for

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


# Settings ----------------------------------------------------------------------------------


def get_settings() -> CommitteeSettings:
    return db.session.get(CommitteeSettings, 1)


def update_settings(raw: dict[str, Any], *, actor) -> CommitteeSettings:
    data, errors = load_input(SettingsIn(), raw)
    raise_for(errors)
    settings = get_settings()
    before = {key: getattr(settings, key) for key in data}
    for key, value in data.items():
        setattr(settings, key, value)
    after = {key: getattr(settings, key) for key in data}
    changed = [key for key in data if before[key] != after[key]]
    if changed:
        db.session.flush()
        record_event(
            Tag.COMMITTEE_SETTINGS,
            actor=actor,
            subject_type="settings",
            subject_id="committee",
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return settings


def committee_members() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.active, User.role_rows.any(UserRole.role == str(Role.COMMITTEE)))
            .order_by(User.name)
        )
    )


def quorum_needed(settings: CommitteeSettings, members: list[User]) -> int:
    return settings.quorum or len(members) // 2 + 1


def is_recused(member: User, dataset: Dataset) -> bool:
    """Members who steward the dataset or belong to its department do not judge it."""
    return dataset.steward_id == member.id or dataset.department_id in (
        department.id for department in member.departments
    )


# Transitions -------------------------------------------------------------------------------


def missing_for_review(dataset: Dataset) -> list[str]:
    record = snapshot(dataset)
    return [label for field, label in REQUIRED_FOR_REVIEW.items() if not record.get(field)]


def check_object_rules(dataset: Dataset, action: Action, actor) -> None:
    """Rules of the table's roles that depend on the record: whose department, who chairs."""
    roles = actor.role_set
    submitting = action in {Action.SUBMIT, Action.RESUBMIT}
    if submitting and Role.COORDINATOR not in roles and not can_edit_dataset(actor, dataset):
        raise PermissionDenied("Only the department's stewards submit its datasets.")
    if action == Action.DECIDE:
        if not actor.is_chair:
            raise PermissionDenied("Only a chair records the committee's decision.")
        if is_recused(actor, dataset):
            raise PermissionDenied("You are recused from this dataset.")


def perform_transition(dataset: Dataset, raw: dict[str, Any], *, actor) -> Dataset:
    data, errors = load_input(TransitionIn(), raw)
    raise_for(errors)
    action = data["action"]
    roles = actor.role_set if actor is not None else frozenset()
    try:
        target = transition(
            State(dataset.status), action, roles, note=data["note"], outcome=data["outcome"]
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
    if action == Action.SEND_TO_COMMITTEE:
        updates["review_round"] = dataset.review_round + 1
    if action == Action.DECIDE:
        decision = _chair_decision(dataset, data, actor)
        details["decision"] = decision.id
        updates.update(_approval_updates(decision))
    if action == Action.PUBLISH:
        publication = _publication(dataset, data)
        updates.update(publication)
        details["published_on"] = publication["published_on"].isoformat()
        details["on_time"] = _on_time(dataset, publication["published_on"])
    _move(
        dataset,
        target,
        action=str(action),
        actor=actor,
        note=data["note"],
        details=details,
        updates=updates,
    )
    if action == Action.SEND_TO_COMMITTEE:
        _record_recusals(dataset, actor)
    return dataset


def _move(dataset, target: State, *, action: str, actor, note, details, updates=None) -> None:
    """Every change a step makes to the record lands in one flush: one version, one event."""
    source = dataset.status
    for key, value in (updates or {}).items():
        setattr(dataset, key, value)
    dataset.status = str(target)
    dataset.updated_at = utcnow()
    db.session.flush()
    keep_transition_version(dataset, actor=actor, action=action)
    record_event(
        Tag.DATASET_TRANSITION,
        actor=actor,
        subject_type="dataset",
        subject_id=dataset.identifier,
        before={"status": source},
        after={"status": str(target)},
        details={"action": action, "note": note, **details},
    )
    notify_next(dataset, note)


def _publication(dataset: Dataset, data: dict[str, Any]) -> dict[str, Any]:
    if not data.get("landing_page"):
        raise ValidationError({"landing_page": ["Give the page where the public finds the data."]})
    published_on = data.get("published_on") or date.today()
    updates: dict[str, Any] = {
        "landing_page": data["landing_page"],
        "published_on": published_on,
        "issued": dataset.issued or published_on,
    }
    if data.get("distributions") is not None:
        updates["distributions"] = [
            {key: value for key, value in item.items() if value is not None}
            for item in data["distributions"]
        ]
    return updates


def _on_time(dataset: Dataset, published_on: date) -> bool:
    return dataset.release_target_date is None or published_on <= dataset.release_target_date


def _approval_updates(decision: Decision) -> dict[str, Any]:
    """An approval fixes the classification, access level and release target date."""
    if decision.outcome != Outcome.APPROVE:
        return {}
    return {
        "classification": decision.classification,
        "access_level": decision.access_level,
        "release_target_date": decision.release_target_date,
    }


def _record_recusals(dataset: Dataset, actor) -> list[str]:
    recused = [member.email for member in committee_members() if is_recused(member, dataset)]
    if recused:
        record_event(
            Tag.REVIEW_RECUSAL,
            actor=actor,
            subject_type="dataset",
            subject_id=dataset.identifier,
            details={"review_round": dataset.review_round, "members": recused},
        )
    return recused


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
    decision = latest_decision(dataset)
    if decision is None or decision.outcome != Outcome.APPROVE:
        return False
    today = today or date.today()
    return (today - decision.decided_at.date()).days > get_settings().rereview_days


def current_votes(dataset: Dataset) -> list[Vote]:
    return list(
        db.session.scalars(
            select(Vote)
            .where(Vote.dataset_id == dataset.id, Vote.review_round == dataset.review_round)
            .order_by(Vote.cast_at)
        )
    )


def tally(votes: list[Vote]) -> dict[str, int]:
    counts = Counter(vote.vote for vote in votes)
    return {str(outcome): counts.get(str(outcome), 0) for outcome in Outcome}


def decision_for_round(dataset: Dataset, review_round: int) -> Decision | None:
    return db.session.scalar(
        select(Decision).where(
            Decision.dataset_id == dataset.id, Decision.review_round == review_round
        )
    )


def latest_decision(dataset: Dataset) -> Decision | None:
    return db.session.scalar(
        select(Decision)
        .where(Decision.dataset_id == dataset.id)
        .order_by(Decision.review_round.desc())
        .limit(1)
    )


def check_can_vote(dataset: Dataset, actor) -> None:
    """Committee members only, while the dataset is before the committee, unless recused.

    Locks the dataset row (PostgreSQL refuses FOR UPDATE across the eager outer joins, so the
    id alone) and rereads it: a vote that waited here sees what the vote before it decided.
    """
    if actor is None or Role.COMMITTEE not in actor.role_set:
        raise PermissionDenied("Only committee members vote.")
    db.session.execute(select(Dataset.id).where(Dataset.id == dataset.id).with_for_update())
    db.session.refresh(dataset)
    if dataset.status != State.IN_COMMITTEE:
        raise InvalidTransition(
            "Votes are taken only while the dataset is before the committee.",
            allowed_actions=[],
        )
    if is_recused(actor, dataset):
        raise PermissionDenied(
            "You are recused: you steward this dataset or belong to its department."
        )


def cast_vote(dataset: Dataset, raw: dict[str, Any], *, actor) -> Decision | None:
    """Records or changes a member's vote; returns the decision if this vote made it fall.

    The dataset row is locked first, so concurrent votes are counted one after another and the
    second sees the decision the first made (the unique round backs this up in the database).
    """
    check_can_vote(dataset, actor)
    data, errors = load_input(VoteIn(), raw)
    raise_for(errors)
    vote = db.session.scalar(
        select(Vote).where(
            Vote.dataset_id == dataset.id,
            Vote.review_round == dataset.review_round,
            Vote.member_id == actor.id,
        )
    )
    before = {"vote": vote.vote, "rationale": vote.rationale} if vote else None
    if vote is None:
        vote = Vote(dataset_id=dataset.id, review_round=dataset.review_round, member_id=actor.id)
        db.session.add(vote)
    vote.vote = str(data["vote"])
    vote.rationale = data["rationale"]
    vote.conditions = data["conditions"]
    vote.updated_at = utcnow()
    db.session.flush()
    record_event(
        Tag.REVIEW_VOTE,
        actor=actor,
        subject_type="dataset",
        subject_id=dataset.identifier,
        before=before,
        after={"vote": vote.vote, "rationale": vote.rationale},
        details={"review_round": dataset.review_round},
    )
    return _decide_if_settled(dataset, actor)


def decisions(dataset: Dataset) -> list[Decision]:
    return list(
        db.session.scalars(
            select(Decision)
            .where(Decision.dataset_id == dataset.id)
            .order_by(Decision.review_round.desc())
        )
    )


def eligible_member_count(dataset: Dataset) -> int:
    return sum(1 for member in committee_members() if not is_recused(member, dataset))


def eligible_votes(dataset: Dataset) -> tuple[list[Vote], int]:
    """The votes that count (recused members' never do) and the quorum they must reach."""
    members = committee_members()
    eligible = {member.id for member in members if not is_recused(member, dataset)}
    votes = [vote for vote in current_votes(dataset) if vote.member_id in eligible]
    return votes, quorum_needed(get_settings(), members)


def _decide_if_settled(dataset: Dataset, actor) -> Decision | None:
    """Quorum reached and a majority of the votes cast agree: the decision falls."""
    votes, quorum = eligible_votes(dataset)
    if len(votes) < quorum:
        return None
    outcome, count = Counter(vote.vote for vote in votes).most_common(1)[0]
    if count * 2 <= len(votes):
        return None
    conditions = "; ".join(
        vote.conditions for vote in votes if vote.vote == outcome and vote.conditions
    )
    decision = _record_decision(
        dataset,
        Outcome(outcome),
        votes,
        method="votes",
        actor=actor,
        conditions=conditions or None,
    )
    _move(
        dataset,
        OUTCOME_STATES[Outcome(outcome)],
        action=str(Action.DECIDE),
        actor=actor,
        note=f"Decided by {count} of {len(votes)} votes (quorum {quorum}).",
        details={"decision": decision.id},
        updates=_approval_updates(decision),
    )
    return decision


def _chair_decision(dataset: Dataset, data: dict[str, Any], actor) -> Decision:
    if not data.get("minutes_reference"):
        raise ValidationError(
            {"minutes_reference": ["Cite the meeting minutes this decision is in."]}
        )
    votes, _quorum = eligible_votes(dataset)
    return _record_decision(
        dataset,
        data["outcome"],
        votes,
        method="chair",
        actor=actor,
        conditions=data.get("conditions"),
        classification=data.get("classification"),
        access_level=data.get("access_level"),
        release_target_date=data.get("release_target_date"),
        minutes_reference=data["minutes_reference"],
        rationale=data["note"],
    )


def _record_decision(
    dataset: Dataset, outcome: Outcome, votes: list[Vote], *, method: str, actor, **fields
) -> Decision:
    """Writes the decision once; an approval fixes classification, access and target date."""
    target = fields.pop("release_target_date", None)
    if outcome == Outcome.APPROVE and target is None:
        target = date.today() + timedelta(days=get_settings().release_deadline_days)
    decision = Decision(
        dataset_id=dataset.id,
        review_round=dataset.review_round,
        outcome=str(outcome),
        classification=str(fields.pop("classification", None) or dataset.classification),
        access_level=str(fields.pop("access_level", None) or dataset.access_level),
        release_target_date=target if outcome == Outcome.APPROVE else None,
        method=method,
        tally=tally(votes),
        votes=[
            {
                "member": vote.member.email,
                "name": vote.member.name,
                "vote": vote.vote,
                "rationale": vote.rationale,
                "conditions": vote.conditions,
            }
            for vote in votes
        ],
        recorded_by_id=getattr(actor, "id", None),
        decided_at=utcnow(),
        **fields,
    )
    db.session.add(decision)
    db.session.flush()
    record_event(
        Tag.REVIEW_DECISION,
        actor=actor,
        subject_type="dataset",
        subject_id=dataset.identifier,
        after={
            "outcome": decision.outcome,
            "classification": decision.classification,
            "access_level": decision.access_level,
            "conditions": decision.conditions,
            "release_target_date": decision.release_target_date,
            "method": method,
            "tally": decision.tally,
        },
        details={"review_round": decision.review_round},
    )
    return decision


def review_summary(dataset: Dataset, user) -> dict[str, Any]:
    """What the dataset page shows of its review to this user."""
    from registry.reviews.permissions import available_actions, can_read_votes, can_vote

    summary: dict[str, Any] = {
        "actions": available_actions(user, dataset),
        "decisions": decisions(dataset),
        "overdue": is_overdue(dataset),
        "late": published_late(dataset),
        "due_for_rereview": due_for_rereview(dataset),
        "can_vote": can_vote(user, dataset),
        "show_votes": can_read_votes(user) and dataset.status == State.IN_COMMITTEE,
    }
    if summary["show_votes"] or summary["can_vote"]:
        votes, quorum = eligible_votes(dataset)
        summary.update(
            votes=current_votes(dataset),
            tally=tally(votes),
            quorum=quorum,
            eligible=eligible_member_count(dataset),
            my_vote=next((v for v in current_votes(dataset) if v.member_id == user.id), None),
        )
    return summary


def work_queues(user) -> dict[str, list[Dataset]]:
    """What waits for this person, by role; a queue appears only for roles they hold."""
    roles = user.role_set
    queues: dict[str, list[Dataset]] = {}
    if Role.STEWARD in roles and user.departments:
        mine = Dataset.department_id.in_([department.id for department in user.departments])
        queues["drafts"] = _datasets(mine, Dataset.status == State.DRAFT)
        queues["changes_requested"] = _datasets(mine, Dataset.status == State.CHANGES_REQUESTED)
    if Role.COORDINATOR in roles:
        today = date.today()
        queues["to_triage"] = _datasets(Dataset.status == State.SUBMITTED)
        queues["overdue"] = _datasets(
            Dataset.status == State.APPROVED, Dataset.release_target_date < today
        )
        queues["to_publish"] = _datasets(
            Dataset.status == State.APPROVED,
            (Dataset.release_target_date >= today) | Dataset.release_target_date.is_(None),
        )
        queues["due_for_rereview"] = _due_for_rereview(today)
    if Role.COMMITTEE in roles:
        voted = select(Vote.dataset_id).where(
            Vote.member_id == user.id, Vote.review_round == Dataset.review_round
        )
        candidates = _datasets(Dataset.status == State.IN_COMMITTEE, ~Dataset.id.in_(voted))
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
            last_approval.c.decided_at < datetime.combine(cutoff, time.min, UTC),
        )
        .order_by(Dataset.title)
    )
    return list(db.session.scalars(query))
