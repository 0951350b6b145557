"""Each candidate's priority score, kept where it changes (the `queue_scores` table), so that
reading the release queue, a page of it or one record's place computes nothing.

The scores follow registry.derived's one rule: the records a transaction touched (their own
fields, an assessment, a data request, an override, a round closed early, a measure computed
from them or no longer) are rescored just
before it commits, in the same transaction.

What moves with time alone is housekeeping's (refresh_standings, every minute): a round that
closes by the clock, and the yearly halving of closed rounds' votes (the scores of records
with such votes are recomputed once a day). The same pass scores any candidate that has no row
and drops rows of records no longer candidates: a bulk load, or a database upgraded to this
table, is put right by it (`registry housekeeping` runs it to the end).
"""

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from registry.datasets.models import Dataset, dataset_city_priorities
from registry.db import utcnow
from registry.derived import keeps, locked_chunks
from registry.extensions import db
from registry.performance.models import MeasureSource
from registry.priorities.models import (
    Assessment,
    DataRequest,
    QueueScore,
    RoundVote,
    ScoreOverride,
    VotingRound,
)
from registry.priorities.rounds import is_candidate_record
from registry.priorities.scoring import CRITERIA, Inputs, Part, RoundShare, Score, score

# Ids asked about in one statement: PostgreSQL takes at most 65,535 parameters in one, and
# SQLite 32,766 in its default build; a state's queue holds more candidates than that.
CHUNK = 5000
# A housekeeping pass rescores at most this many records (the next pass goes on).
PASS_LIMIT = 20000


@keeps
def keep_scores(session: Session, records: set[int], rounds: set[int]) -> None:
    """The scores of the records a transaction touched, and of every record voted for in a
    round it closed (derived.py's rule)."""
    if rounds:
        records = records | set(
            session.scalars(
                select(RoundVote.dataset_id).where(
                    RoundVote.round_id.in_(rounds), RoundVote.dataset_id.is_not(None)
                )
            )
        )
    rescore(session, records)


def rescore(session: Session, ids: Iterable[int | None], now: datetime | None = None) -> int:
    """Writes the rows of these records: a candidate's score, a non-candidate's row removed.
    Takes the writers' lock first (held already by a writer that audited)."""
    now = now or utcnow()
    written = 0
    for part in locked_chunks(session, ids, CHUNK):
        rows = session.execute(
            select(
                Dataset.id,
                Dataset.release_priority,
                Dataset.release_target_date,
                Dataset.title,
                Dataset.department_id,
                Dataset.status,
            ).where(Dataset.id.in_(part), is_candidate_record())
        ).all()
        session.execute(delete(QueueScore).where(QueueScore.dataset_id.in_(part)))
        if rows:
            session.execute(
                QueueScore.__table__.insert(),
                [_row(record, *found, now.date()) for record, *found in scored(session, rows, now)],
            )
        written += len(rows)
    return written


def _row(record, formula: Score, override, decays: bool, today: date) -> dict:
    value = override.score if override is not None else formula.total
    return {
        "dataset_id": record.id,
        "department_id": record.department_id,
        "status": record.status,
        "score": value,
        "formula": formula.total,
        "rank_key": -value,
        "parts": [
            {
                "name": part.name,
                "value": part.value,
                "weight": part.weight,
                "explanation": part.explanation,
            }
            for part in formula.parts
        ],
        "override_id": override.id if override is not None else None,
        "target": record.release_target_date or date.max,
        "title": record.title,
        "decays": decays,
        "scored_on": today,
    }


def formula_of(row: QueueScore) -> Score:
    """The kept score's parts, as the formula gave them."""
    return Score(tuple(Part(**part) for part in row.parts))


def scored(session: Session, records, now: datetime) -> list[tuple]:
    """Each record's (record, formula score, standing override, whether it decays): records,
    or rows with their id and release_priority; a handful of queries for them all."""
    ids = [record.id for record in records]
    shares = round_shares(session, ids, now)
    assessed: dict[int, list[list[int]]] = {}
    columns = [getattr(Assessment, name) for name in CRITERIA]
    for row in session.execute(
        select(Assessment.dataset_id, *columns).where(Assessment.dataset_id.in_(ids))
    ):
        assessed.setdefault(row[0], []).append(list(row[1:]))
    requests = dict(
        session.execute(
            select(DataRequest.dataset_id, func.count())
            .where(DataRequest.dataset_id.in_(ids))
            .group_by(DataRequest.dataset_id)
        )
        .tuples()
        .all()
    )
    link = dataset_city_priorities.c
    supporting = set(session.scalars(select(link.dataset_id).where(link.dataset_id.in_(ids))))
    feeding = dict(
        session.execute(
            select(MeasureSource.dataset_id, func.count())
            .where(MeasureSource.dataset_id.in_(ids))
            .group_by(MeasureSource.dataset_id)
        )
        .tuples()
        .all()
    )
    newest: dict[int, ScoreOverride] = {}
    query = (
        select(ScoreOverride)
        .where(ScoreOverride.dataset_id.in_(ids))
        .order_by(ScoreOverride.set_at, ScoreOverride.id)
    )
    for override in session.scalars(query):
        newest[override.dataset_id] = override
    found = []
    for record in records:
        inputs = Inputs(
            department_priority=record.release_priority,
            rounds=[RoundShare(*share) for share in shares.get(record.id, [])],
            linked_requests=requests.get(record.id, 0),
            supports_city_priority=record.id in supporting,
            feeds_measures=feeding.get(record.id, 0),
            assessments=assessed.get(record.id, []),
        )
        override = newest.get(record.id)
        if override is not None and override.score is None:
            override = None  # an override cleared
        found.append((record, score(inputs), override, record.id in shares))
    return found


def round_shares(
    session: Session, ids: list[int], now: datetime
) -> dict[int, list[tuple[int, int, int]]]:
    """Each record's (votes, round total, days since the round closed) in every closed round
    (days counted by date, so a score holds for the day: housekeeping moves it once a day)."""
    closed = [r for r in session.scalars(select(VotingRound)) if r.is_closed(now)]
    shares: dict[int, list[tuple[int, int, int]]] = {}
    for voting_round in closed:
        per_record = session.execute(
            select(RoundVote.dataset_id, func.sum(RoundVote.votes))
            .where(RoundVote.round_id == voting_round.id, RoundVote.dataset_id.in_(ids))
            .group_by(RoundVote.dataset_id)
        ).all()
        if not per_record:
            continue
        total = session.scalar(
            select(func.coalesce(func.sum(RoundVote.votes), 0)).where(
                RoundVote.round_id == voting_round.id
            )
        )
        age = max(0, (now.date() - voting_round.closes().date()).days)
        for dataset_id, votes in per_record:
            shares.setdefault(dataset_id, []).append((int(votes), int(total), age))
    return shares


def refresh_standings(now: datetime | None = None, limit: int = PASS_LIMIT) -> int:
    """Housekeeping: rounds closed by the clock, the day's decay, candidates without a row and
    rows of records no longer candidates, up to `limit` records a pass. Returns how many."""
    now = now or utcnow()
    session = db.session()
    due = [
        r
        for r in session.scalars(select(VotingRound).where(VotingRound.counted_at.is_(None)))
        if r.is_closed(now)
    ]
    voted = session.scalars(
        select(RoundVote.dataset_id)
        .where(RoundVote.round_id.in_([r.id for r in due]), RoundVote.dataset_id.is_not(None))
        .distinct()
    ).all()
    decayed = select(QueueScore.dataset_id).where(
        QueueScore.decays.is_(True), QueueScore.scored_on < now.date()
    )
    missing = select(Dataset.id).where(
        is_candidate_record(), ~exists().where(QueueScore.dataset_id == Dataset.id)
    )
    gone = (
        select(QueueScore.dataset_id)
        .join(Dataset, Dataset.id == QueueScore.dataset_id)
        .where(~is_candidate_record())
    )
    ids = set(voted)
    for query in (decayed, missing, gone):
        if len(ids) < limit:
            ids |= set(session.scalars(query.limit(limit - len(ids))))
    rescore(session, ids, now)
    for voting_round in due:
        voting_round.counted_at = now
    return len(ids) + len(due)
