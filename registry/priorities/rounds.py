"""Voting rounds: a coordinator opens one for a time; stakeholders spread a budget of votes over
the candidates (records at levels 1 to 3 not yet published, and open data requests), changing
them until it closes; tallies stay hidden until then and are public after.

The budget and the per-item maximum hold under concurrent requests from one person: every change
of theirs locks their ballot row first, and the database's own checks (Ballot.within_budget,
RoundVote.within_item_maximum) refuse anything that got past that.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from registry.accounts.services import active_users_with_role
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.models import Dataset
from registry.datasets.visibility import RELEASABLE, readable_by
from registry.db import utcnow
from registry.errors import Conflict, NotFound, PermissionDenied
from registry.extensions import db
from registry.notifications.services import notify
from registry.permissions import Permission, Role, has_permission
from registry.priorities.models import Ballot, DataRequest, RoundVote, VotingRound
from registry.priorities.schemas import CANDIDATE_STATES, RoundIn, VotesIn
from registry.validation import load_input, raise_for

OPEN_REQUEST_STATES = ["received", "acknowledged"]
REQUEST_PREFIX = "request-"
STATE_NAMES = {"upcoming": "Not yet open", "open": "Open", "closed": "Closed"}


def is_candidate_record():
    return Dataset.classification.in_(RELEASABLE) & Dataset.status.in_(CANDIDATE_STATES)


def candidates_query(department: str | None = None, theme: str | None = None):
    """The records a stakeholder may vote for, by title, optionally of one department or theme."""
    query = select(Dataset).where(is_candidate_record())
    if department:
        query = query.where(Dataset.department.has(code=department))
    if theme:
        query = query.where(Dataset.theme_rows.any(theme=theme))
    return query.order_by(Dataset.title, Dataset.id)


def open_requests() -> list[DataRequest]:
    query = select(DataRequest).where(DataRequest.status.in_(OPEN_REQUEST_STATES))
    return list(db.session.scalars(query.order_by(DataRequest.created_at, DataRequest.id)))


def state_of(voting_round: VotingRound, now: datetime) -> str:
    if voting_round.is_closed(now):
        return "closed"
    return "open" if voting_round.is_open(now) else "upcoming"


def get_round(round_id: int) -> VotingRound:
    found = db.session.get(VotingRound, round_id)
    if found is None:
        raise NotFound("There is no such voting round.")
    return found


def rounds_query():
    """Every voting round, newest first."""
    return select(VotingRound).order_by(VotingRound.opens_at.desc(), VotingRound.id.desc())


def list_rounds() -> list[VotingRound]:
    return list(db.session.scalars(rounds_query()))


def create_round(raw: dict[str, Any], *, actor) -> VotingRound:
    if not has_permission(actor, Permission.PROGRAM_MANAGE):
        raise PermissionDenied("Coordinators open voting rounds.")
    data, errors = load_input(RoundIn(), raw)
    raise_for(errors)
    voting_round = VotingRound(**data, created_by_id=getattr(actor, "id", None))
    db.session.add(voting_round)
    db.session.flush()
    record_event(
        Tag.ROUND_CREATE,
        actor=actor,
        subject_type="round",
        subject_id=voting_round.id,
        after={
            key: data[key] for key in ("title", "opens_at", "closes_at", "budget", "max_per_item")
        },
    )
    announce_due_rounds()
    return voting_round


def close_round(voting_round: VotingRound, *, actor) -> VotingRound:
    """Closes a round before its time; its tallies become final and public."""
    if not has_permission(actor, Permission.PROGRAM_MANAGE):
        raise PermissionDenied("Coordinators close voting rounds.")
    now = utcnow()
    if voting_round.is_closed(now):
        raise Conflict("This round is already closed.")
    voting_round.closed_early_at = max(now, voting_round.opens_at)
    voting_round.counted_at = now  # its votes are counted as this commits (standings)
    db.session.flush()
    record_event(Tag.ROUND_CLOSE, actor=actor, subject_type="round", subject_id=voting_round.id)
    announce_due_rounds()
    return voting_round


def parse_candidate(candidate: str) -> tuple[str, Any]:
    """A candidate as the API names it: a dataset identifier, or request-<id>."""
    if candidate.startswith(REQUEST_PREFIX) and candidate[len(REQUEST_PREFIX) :].isdigit():
        return "request", int(candidate[len(REQUEST_PREFIX) :])
    return "dataset", candidate


def _resolve(candidate: str) -> dict[str, int]:
    kind, key = parse_candidate(candidate)
    if kind == "request":
        request = db.session.get(DataRequest, key)
        if request is None or request.status not in OPEN_REQUEST_STATES:
            raise Conflict("Votes go to open data requests only; this one is not open.")
        return {"request_id": request.id}
    dataset_id = db.session.scalar(
        select(Dataset.id).where(Dataset.identifier == key, is_candidate_record())
    )
    if dataset_id is None:
        raise Conflict(
            "That is not a candidate: votes go to datasets at levels 1 to 3 not yet published, "
            "and open data requests."
        )
    return {"dataset_id": dataset_id}


def _ballot(voting_round: VotingRound, voter) -> Ballot:
    """The voter's ballot, created on their first vote, and locked until the transaction ends."""
    query = select(Ballot).where(Ballot.round_id == voting_round.id, Ballot.voter_id == voter.id)
    ballot = db.session.scalar(query.with_for_update())
    if ballot is not None:
        return ballot
    try:
        with db.session.begin_nested():
            db.session.add(
                Ballot(round_id=voting_round.id, voter_id=voter.id, budget=voting_round.budget)
            )
    except IntegrityError:  # their other request created it first
        pass
    return db.session.scalar(query.with_for_update().execution_options(populate_existing=True))


def set_votes(voting_round: VotingRound, candidate: str, raw: dict[str, Any], *, actor) -> Ballot:
    """Gives a candidate n votes (0 takes them back), within the budget and the per-item most."""
    if not has_permission(actor, Permission.ROUND_VOTE):
        raise PermissionDenied("Members of the stakeholder group vote in rounds.")
    data, errors = load_input(VotesIn(), raw)
    raise_for(errors)
    votes = data["votes"]
    now = utcnow()
    if not voting_round.is_open(now):
        state = state_of(voting_round, now)
        raise Conflict(f"Votes are taken only while the round is open; it is {state}.")
    if votes > voting_round.max_per_item:
        raise_for({}, {"votes": [f"Give a candidate at most {voting_round.max_per_item} votes."]})
    target = _resolve(candidate)
    ballot = _ballot(voting_round, actor)
    existing = db.session.scalar(
        select(RoundVote).where(RoundVote.ballot_id == ballot.id, *_matches(target))
    )
    before = existing.votes if existing else 0
    spent = ballot.spent - before + votes
    if spent > ballot.budget:
        left = ballot.budget - ballot.spent + before
        raise_for(
            {},
            {
                "votes": [
                    f"That is over your budget: you have {left} "
                    f"vote{'' if left == 1 else 's'} left for this."
                ]
            },
        )
    if existing is not None and votes == 0:
        db.session.delete(existing)
    elif existing is not None:
        existing.votes = votes
    elif votes:
        db.session.add(
            RoundVote(
                ballot_id=ballot.id,
                round_id=voting_round.id,
                votes=votes,
                max_per_item=voting_round.max_per_item,
                **target,
            )
        )
    ballot.spent = spent
    db.session.flush()
    record_event(
        Tag.ROUND_VOTE,
        actor=actor,
        subject_type="round",
        subject_id=voting_round.id,
        before={"votes": before},
        after={"votes": votes},
        details={"candidate": candidate, "spent": spent},
    )
    return ballot


def _matches(target: dict[str, int]):
    if "dataset_id" in target:
        return (RoundVote.dataset_id == target["dataset_id"],)
    return (RoundVote.request_id == target["request_id"],)


def my_votes(voting_round: VotingRound, voter) -> tuple[dict[str, int], int]:
    """The voter's own votes by candidate, and what is left of their budget."""
    if voter is None or not getattr(voter, "is_authenticated", False):
        return {}, voting_round.budget
    rows = db.session.execute(
        select(RoundVote.votes, Dataset.identifier, readable_by(voter), RoundVote.request_id)
        .join(Ballot, Ballot.id == RoundVote.ballot_id)
        .outerjoin(Dataset, Dataset.id == RoundVote.dataset_id)
        .where(Ballot.round_id == voting_round.id, Ballot.voter_id == voter.id)
    ).all()
    # A record the voter may no longer read (restricted since they voted) is not named: its
    # votes still count against the budget, under "restricted".
    mine: dict[str, int] = {}
    for votes, identifier, readable, request_id in rows:
        if identifier is None:
            name = f"{REQUEST_PREFIX}{request_id}"
        else:
            name = identifier if readable else "restricted"
        mine[name] = mine.get(name, 0) + votes
    return mine, voting_round.budget - sum(mine.values())


def tallies(voting_round: VotingRound) -> list[dict[str, Any]] | None:
    """Every candidate's votes, once the round has closed (None before: they stay hidden)."""
    if not voting_round.is_closed(utcnow()):
        return None
    rows = db.session.execute(
        select(
            RoundVote.dataset_id,
            RoundVote.request_id,
            func.sum(RoundVote.votes),
        )
        .where(RoundVote.round_id == voting_round.id)
        .group_by(RoundVote.dataset_id, RoundVote.request_id)
    ).all()
    total = sum(row[2] for row in rows) or 1
    titles = _titles([row[0] for row in rows if row[0]], [row[1] for row in rows if row[1]])
    results = [
        {
            "candidate": titles[(dataset_id, request_id)][0],
            "title": titles[(dataset_id, request_id)][1],
            "votes": int(votes),
            "share": round(int(votes) / total, 4),
        }
        for dataset_id, request_id, votes in rows
    ]
    return sorted(results, key=lambda row: (-row["votes"], row["title"]))


def _titles(dataset_ids: list[int], request_ids: list[int]) -> dict[tuple, tuple[str, str]]:
    """Each candidate's name in the results. A record restricted since the round closed is
    counted but not named: the public results never show a level 4 record."""
    found: dict[tuple, tuple[str, str]] = {}
    if dataset_ids:
        query = select(Dataset.id, Dataset.identifier, Dataset.title, Dataset.classification)
        for id_, identifier, title, level in db.session.execute(
            query.where(Dataset.id.in_(dataset_ids))
        ):
            named = level in RELEASABLE
            found[(id_, None)] = (
                identifier if named else "restricted",
                title if named else "A dataset since classified restricted",
            )
    if request_ids:
        for id_, title in db.session.execute(
            select(DataRequest.id, DataRequest.title).where(DataRequest.id.in_(request_ids))
        ):
            found[(None, id_)] = (f"{REQUEST_PREFIX}{id_}", f"Request: {title}")
    return found


def announce_due_rounds(now: datetime | None = None) -> int:
    """Tells the stakeholders, once each, that a round has opened and that its results are out.
    Each announcement is claimed by a conditional update, so two processes never both send it.
    Run by the app's housekeeping thread and `registry housekeeping` (cron)."""
    now = now or utcnow()
    told = 0
    stakeholders = None
    for voting_round in db.session.scalars(select(VotingRound)):
        opened = voting_round.opens_at <= now and voting_round.opening_announced_at is None
        # A round already over by the time anyone looks gets its results announced only.
        claimed = opened and _claim(voting_round, "opening_announced_at", now)
        if claimed and not voting_round.is_closed(now):
            stakeholders = stakeholders or active_users_with_role(Role.STAKEHOLDER)
            told += notify(
                stakeholders,
                f"Voting round open: {voting_round.title}",
                f"Spread your {voting_round.budget} votes over what the city should release "
                f"first, until {voting_round.closes_at:%d %B %Y %H:%M} UTC.",
                link=f"/rounds/{voting_round.id}",
                kind="Voting round",
            )
        results = voting_round.is_closed(now) and voting_round.results_announced_at is None
        if results and _claim(voting_round, "results_announced_at", now):
            stakeholders = stakeholders or active_users_with_role(Role.STAKEHOLDER)
            told += notify(
                stakeholders,
                f"Results: {voting_round.title}",
                "The round has closed; its results are public.",
                link=f"/rounds/{voting_round.id}",
                kind="Voting round",
            )
    return told


def _claim(voting_round: VotingRound, column: str, now: datetime) -> bool:
    claimed = db.session.execute(
        update(VotingRound)
        .where(VotingRound.id == voting_round.id, getattr(VotingRound, column).is_(None))
        .values({column: now})
    ).rowcount
    db.session.refresh(voting_round)
    return bool(claimed)


def round_marks(moment: datetime) -> tuple[int, int]:
    """How many voting rounds had opened and closed by a moment: for answers kept until the
    inventory changes (registry.memo), since a round that opens or closes by the clock changes
    them before anyone writes anything."""
    return tuple(
        db.session.execute(
            select(
                func.count().filter(VotingRound.opens_at <= moment),
                func.count().filter(VotingRound.closes_at <= moment),
            )
        ).one()
    )
