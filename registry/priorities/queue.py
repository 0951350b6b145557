"""The release queue: records at levels 1 to 3 not yet published (approved ones included) in
order of their priority score, each with why it stands there; and what feeds the score that
people record: the committee's assessments and a coordinator's override."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.models import Dataset, dataset_city_priorities
from registry.db import utcnow
from registry.errors import PermissionDenied
from registry.extensions import db
from registry.memo import for_the_hour, remembered
from registry.permissions import Permission, has_permission
from registry.priorities.models import Assessment, DataRequest, ScoreOverride
from registry.priorities.rounds import is_candidate_record, round_marks, round_shares
from registry.priorities.schemas import AssessmentIn, OverrideIn
from registry.priorities.scoring import CRITERIA, Inputs, RoundShare, Score, score
from registry.reviews.permissions import is_recused
from registry.validation import load_input, raise_for


@dataclass(frozen=True)
class Place:
    """A record's place in the queue."""

    rank: int
    dataset: Dataset
    formula: Score
    override: ScoreOverride | None

    @property
    def score(self) -> float:
        if self.override is not None and self.override.score is not None:
            return self.override.score
        return self.formula.total


def _assessments(ids: list[int]) -> dict[int, list[list[int]]]:
    found: dict[int, list[list[int]]] = {}
    columns = [getattr(Assessment, name) for name in CRITERIA]
    for row in db.session.execute(
        select(Assessment.dataset_id, *columns).where(Assessment.dataset_id.in_(ids))
    ):
        found.setdefault(row[0], []).append(list(row[1:]))
    return found


def _requests(ids: list[int]) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(DataRequest.dataset_id, func.count())
            .where(DataRequest.dataset_id.in_(ids))
            .group_by(DataRequest.dataset_id)
        )
        .tuples()
        .all()
    )


def _supporting(ids: list[int]) -> set[int]:
    link = dataset_city_priorities.c
    return set(db.session.scalars(select(link.dataset_id).where(link.dataset_id.in_(ids))))


def _overrides(ids: list[int]) -> dict[int, ScoreOverride]:
    newest: dict[int, ScoreOverride] = {}
    query = (
        select(ScoreOverride)
        .where(ScoreOverride.dataset_id.in_(ids))
        .order_by(ScoreOverride.set_at, ScoreOverride.id)
    )
    for override in db.session.scalars(query):
        newest[override.dataset_id] = override
    return {key: value for key, value in newest.items() if value.score is not None}


# Ids asked about in one statement: PostgreSQL takes at most 65,535 parameters in one, and
# SQLite 32,766 in its default build; a state's queue holds more candidates than that.
CHUNK = 5000


def _scored(records) -> list[tuple[Any, Score, ScoreOverride | None]]:
    """Each record's score (records, or rows with their id and release_priority), from a
    handful of queries for every CHUNK records."""
    ids = [record.id for record in records]
    shares = round_shares(utcnow())
    assessed: dict[int, list[list[int]]] = {}
    requests: dict[int, int] = {}
    supporting: set[int] = set()
    overrides: dict[int, ScoreOverride] = {}
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]  # each answer below is per record, so parts add up
        assessed.update(_assessments(part))
        requests.update(_requests(part))
        supporting |= _supporting(part)
        overrides.update(_overrides(part))
    scored = []
    for record in records:
        inputs = Inputs(
            department_priority=record.release_priority,
            rounds=[RoundShare(*share) for share in shares.get(record.id, [])],
            linked_requests=requests.get(record.id, 0),
            supports_city_priority=record.id in supporting,
            assessments=assessed.get(record.id, []),
        )
        scored.append((record, score(inputs), overrides.get(record.id)))
    return scored


def _order(department: str | None) -> list[tuple[int, Score, int | None]]:
    """The queue as plain values (each record's id, its formula's score and its override's
    id), in score order (ties by target date, then title): kept until the inventory changes."""
    query = select(
        Dataset.id, Dataset.release_priority, Dataset.release_target_date, Dataset.title
    ).where(is_candidate_record())
    if department:
        query = query.where(Dataset.department.has(code=department.upper()))
    scored = _scored(db.session.execute(query).all())
    scored.sort(
        key=lambda item: (
            -(item[2].score if item[2] is not None else item[1].total),
            item[0].release_target_date or date.max,
            item[0].title,
        )
    )
    return [(row.id, formula, override and override.id) for row, formula, override in scored]


class Ranking(Sequence):
    """The queue's places, their records loaded only for the slice read (a page of it, the
    home page's first few, or batches of it for the API)."""

    def __init__(self, order: list[tuple[int, Score, int | None]]) -> None:
        self.order = order

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, index):
        positions = range(len(self.order))[index]
        if isinstance(index, slice):
            return self._places(list(positions))
        return self._places([positions])[0]

    def __iter__(self) -> Iterator[Place]:
        for start in range(0, len(self.order), 500):
            yield from self[start : start + 500]

    def _places(self, positions: list[int]) -> list[Place]:
        chosen = [self.order[position] for position in positions]
        ids = [dataset_id for dataset_id, _, _ in chosen]
        records = {r.id: r for r in db.session.scalars(select(Dataset).where(Dataset.id.in_(ids)))}
        wanted = [override for _, _, override in chosen if override is not None]
        overrides = {
            o.id: o
            for o in db.session.scalars(select(ScoreOverride).where(ScoreOverride.id.in_(wanted)))
        }
        return [
            Place(position + 1, records[dataset_id], formula, overrides.get(override))
            for position, (dataset_id, formula, override) in zip(positions, chosen, strict=True)
        ]


def release_queue(department: str | None = None) -> Ranking:
    """Every candidate in score order (ties by target date, then title). Public: levels 1 to 3
    only, so nothing here is restricted, and the order is the same for everyone: it is kept
    until the inventory changes or a voting round opens or closes (registry.memo), for the
    hour."""
    now = utcnow()
    hour, until = for_the_hour(now)
    key = ("queue", department and department.upper(), hour, round_marks(now))
    return Ranking(remembered(key, lambda: _order(department), until))


def standing(dataset: Dataset) -> Place | None:
    """A candidate's score and why (for its review panel); None for records not in the queue."""
    if not db.session.scalar(
        select(Dataset.id).where(Dataset.id == dataset.id, is_candidate_record())
    ):
        return None
    record, formula, override = _scored([dataset])[0]
    return Place(0, record, formula, override)


def may_assess(member, dataset: Dataset) -> bool:
    """Committee members assess a record, unless recused from it (its steward, or of its
    department): the same rule as for their votes."""
    return has_permission(member, Permission.ASSESS) and not is_recused(member, dataset)


def check_can_assess(dataset: Dataset, member) -> None:
    if not has_permission(member, Permission.ASSESS):
        raise PermissionDenied("Committee members assess datasets.")
    if is_recused(member, dataset):
        raise PermissionDenied(
            "You are recused: you steward this dataset or belong to its department."
        )


def record_assessment(dataset: Dataset, raw: dict[str, Any], *, actor) -> Assessment:
    """A committee member's assessment of the five criteria (they may change it)."""
    check_can_assess(dataset, actor)
    data, errors = load_input(AssessmentIn(), raw)
    raise_for(errors)
    assessment = db.session.scalar(
        select(Assessment).where(
            Assessment.dataset_id == dataset.id, Assessment.member_id == actor.id
        )
    )
    before = {name: getattr(assessment, name) for name in CRITERIA} if assessment else None
    if assessment is None:
        assessment = Assessment(dataset_id=dataset.id, member_id=actor.id)
        db.session.add(assessment)
    for name, value in data.items():
        setattr(assessment, name, value)
    assessment.updated_at = utcnow()
    db.session.flush()
    record_event(
        Tag.ASSESSMENT,
        actor=actor,
        subject_type="dataset",
        subject_id=dataset.identifier,
        before=before,
        after={name: data[name] for name in CRITERIA},
        details={"note": data.get("note")},
    )
    return assessment


def my_assessment(dataset: Dataset, member) -> Assessment | None:
    return db.session.scalar(
        select(Assessment).where(
            Assessment.dataset_id == dataset.id, Assessment.member_id == member.id
        )
    )


def override_score(dataset: Dataset, raw: dict[str, Any], *, actor) -> ScoreOverride:
    """A coordinator sets a record's score, or clears an override (score empty), with a reason."""
    if not has_permission(actor, Permission.PROGRAM_MANAGE):
        raise PermissionDenied("Coordinators override priority scores.")
    data, errors = load_input(OverrideIn(), raw)
    raise_for(errors)
    override = ScoreOverride(
        dataset_id=dataset.id,
        score=data["score"],
        reason=data["reason"],
        set_by_id=getattr(actor, "id", None),
    )
    db.session.add(override)
    db.session.flush()
    record_event(
        Tag.SCORE_OVERRIDE,
        actor=actor,
        subject_type="dataset",
        subject_id=dataset.identifier,
        after={"score": data["score"], "reason": data["reason"]},
    )
    return override
