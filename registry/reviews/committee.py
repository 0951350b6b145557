"""The governance committee: its settings, members, recusal, votes, quorum and decisions.

A decision falls when quorum is reached and a majority of the votes cast agree, or when a chair
records one from a meeting; it is written once and never edited.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from registry.accounts.models import User
from registry.accounts.services import active_users_with_role
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.governance import in_force, proposal_open, question, stage
from registry.datasets.models import Dataset
from registry.datasets.services import lock_for_update, record_problems
from registry.datasets.vocab import DEFAULT_ACCESS_LEVEL
from registry.db import utcnow, utctoday
from registry.errors import InvalidTransition, PermissionDenied
from registry.extensions import db
from registry.permissions import Permission, Role, has_permission
from registry.reviews.models import CommitteeSettings, Decision, Meeting, Vote
from registry.reviews.permissions import facts_for, is_recused
from registry.reviews.schemas import SettingsIn, VoteIn
from registry.reviews.steps import StepChanges, approval_updates, move
from registry.reviews.workflow import (
    THE_COMMITTEE,
    Action,
    Outcome,
    may_vote,
    transition,
)
from registry.validation import load_input, raise_for


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
    return active_users_with_role(Role.COMMITTEE)


def default_quorum(members: list[User]) -> int:
    """A majority of the committee's members, when the settings name no quorum."""
    return len(members) // 2 + 1


def quorum_needed(settings: CommitteeSettings, members: list[User]) -> int:
    return settings.quorum or default_quorum(members)


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

    Locks the dataset row and rereads it: a vote that waited here sees what the vote before it
    decided.
    """
    if not has_permission(actor, Permission.REVIEW_VOTE):
        raise PermissionDenied("Only committee members vote.")
    lock_for_update(dataset)
    if is_recused(actor, dataset):
        raise PermissionDenied(
            "You are recused: you steward this dataset or belong to its department."
        )
    if not may_vote(stage(dataset), actor.role_set, facts_for(dataset, actor)):
        raise InvalidTransition(
            "Votes are taken only while the dataset is before the committee.",
            allowed_actions=[],
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


@dataclass(frozen=True)
class RoundState:
    """The current round's votes, read once: all of them, those that count (recused members'
    never do), how many members may vote, and the quorum."""

    votes: list[Vote]
    counted: list[Vote]
    eligible: int
    quorum: int


def round_state(dataset: Dataset) -> RoundState:
    members = committee_members()
    eligible = {member.id for member in members if not is_recused(member, dataset)}
    votes = current_votes(dataset)
    return RoundState(
        votes=votes,
        counted=[vote for vote in votes if vote.member_id in eligible],
        eligible=len(eligible),
        quorum=quorum_needed(get_settings(), members),
    )


def _decide_if_settled(dataset: Dataset, actor) -> Decision | None:
    """Quorum reached and a majority of the votes cast agree: the committee as a body decides."""
    state = round_state(dataset)
    votes, quorum = state.counted, state.quorum
    if len(votes) < quorum:
        return None
    outcome, count = Counter(vote.vote for vote in votes).most_common(1)[0]
    if count * 2 <= len(votes):
        return None
    conditions = "; ".join(
        vote.conditions for vote in votes if vote.vote == outcome and vote.conditions
    )
    return decide(
        dataset,
        Outcome(outcome),
        actor=actor,
        method="votes",
        note=f"Decided by {count} of {len(votes)} votes (quorum {quorum}).",
        votes=votes,
        conditions=conditions or None,
    )


def decide(
    dataset: Dataset,
    outcome: Outcome,
    *,
    actor,
    method: str,
    note: str,
    votes: list[Vote],
    changes: StepChanges | None = None,
    **terms: Any,
) -> Decision:
    """The committee's decision, whichever way it falls (by votes, or recorded by a chair from a
    meeting): written once, and the record moved as the workflow says."""
    facts = THE_COMMITTEE if method == "votes" else facts_for(dataset, actor)
    roles = [Role.COMMITTEE] if method == "votes" else actor.role_set
    step = transition(stage(dataset), Action.DECIDE, roles, facts=facts, note=note, outcome=outcome)
    was_open = proposal_open(dataset)
    decision = _record_decision(dataset, outcome, votes, method=method, actor=actor, **terms)
    changes = changes or StepChanges()
    changes.updates.update(approval_updates(dataset, decision))
    changes.details["decision"] = decision.id
    changes.notice = decision.outcome if was_open else None
    move(dataset, step.target, action=str(Action.DECIDE), actor=actor, note=note, changes=changes)
    return decision


def chair_terms(dataset: Dataset, data: dict[str, Any]) -> dict[str, Any]:
    """What a chair's recorded decision carries: the minutes it cites, and for an approval any
    classification, access level or legal basis the meeting set."""
    cited = _minutes_cited(data)
    terms = _approved_terms(dataset, data) if data["outcome"] == Outcome.APPROVE else {}
    return {
        **terms,
        "conditions": data.get("conditions"),
        "release_target_date": data.get("release_target_date"),
        "minutes_reference": cited,
        "rationale": data["note"],
    }


def _minutes_cited(data: dict[str, Any]) -> str:
    """A recorded meeting, with the item typed beside it ("Meeting of 12 March 2026, item 4");
    a meeting not recorded, cited as typed."""
    item = (data.get("minutes_reference") or "").strip()
    if data.get("meeting") is not None:
        meeting = db.session.get(Meeting, data["meeting"])
        if meeting is None:
            raise ValidationError({"meeting": ["No meeting is recorded under this number."]})
        cited = f"Meeting of {meeting.held_on.day} {meeting.held_on:%B %Y}"
        item = f"{cited}, {item}" if item else cited
    if not item:
        raise ValidationError(
            {"minutes_reference": ["Choose the meeting it was decided at, or cite its minutes."]}
        )
    if len(item) > MINUTES_REFERENCE_LENGTH:
        raise ValidationError(
            {"minutes_reference": [f"Cite it in up to {MINUTES_REFERENCE_LENGTH} characters."]}
        )
    return item


MINUTES_REFERENCE_LENGTH = 200  # the decision's column


def _judged(dataset: Dataset) -> dict[str, Any]:
    """The governance before the committee: a re-review's proposal, or the record's own."""
    return dataset.proposed_governance or in_force(dataset)


def _approved_terms(dataset: Dataset, data: dict[str, Any]) -> dict[str, Any]:
    """The terms a chair's approval sets beside those judged: another classification (with its
    default access level unless one is given), access level or legal basis, but only terms the
    record's other fields allow (a legal basis for any restriction)."""
    terms = {
        key: data[key] for key in ("classification", "access_level", "rights") if data.get(key)
    }
    if "classification" in terms and "access_level" not in terms:
        terms["access_level"] = DEFAULT_ACCESS_LEVEL[terms["classification"]]
    problems = record_problems({**_judged(dataset), **terms})
    if "access_level" in problems:
        raise ValidationError({"access_level": problems["access_level"]})
    if "rights" in problems:
        raise ValidationError(
            {
                "rights": [
                    "The record names no legal basis for restricting access: give the one the "
                    "committee relies on, or approve public access."
                ]
            }
        )
    return terms


def _record_decision(
    dataset: Dataset, outcome: Outcome, votes: list[Vote], *, method: str, actor, **fields
) -> Decision:
    """Writes the decision once. An approval fixes classification, access and target date; a
    re-review's decision also keeps what was proposed beside what was in force."""
    approved = outcome == Outcome.APPROVE
    target = fields.pop("release_target_date", None)
    if approved and target is None:
        target = (
            dataset.release_target_date
            if proposal_open(dataset)
            else utctoday() + timedelta(days=get_settings().release_deadline_days)
        )
    # What stands after the decision: what it approved (a chair's terms over those judged), or
    # else the governance in force.
    standing = _judged(dataset) if approved else in_force(dataset)
    terms = {key: fields.pop(key, None) for key in ("classification", "access_level", "rights")}
    decision = Decision(
        dataset_id=dataset.id,
        review_round=dataset.review_round,
        outcome=str(outcome),
        classification=str(terms["classification"] or standing["classification"]),
        access_level=str(terms["access_level"] or standing["access_level"]),
        rights=terms["rights"] or standing["rights"],
        release_target_date=target if approved else None,
        proposal=question(dataset),
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
            "rights": decision.rights,
            "conditions": decision.conditions,
            "release_target_date": decision.release_target_date,
            "method": method,
            "tally": decision.tally,
        },
        details={"review_round": decision.review_round, "proposal": decision.proposal},
    )
    return decision


def record_recusals(dataset: Dataset, actor) -> list[str]:
    """Names, in the audit trail, the members who sit out this round."""
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
