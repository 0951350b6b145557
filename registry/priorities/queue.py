"""The release queue: records at levels 1 to 3 not yet published (approved ones included) in
order of their priority score, each with why it stands there; and what feeds the score that
people record: the committee's assessments and a coordinator's override."""

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
from registry.permissions import Permission, has_permission
from registry.priorities.models import Assessment, DataRequest, ScoreOverride
from registry.priorities.rounds import is_candidate_record, round_shares
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


def _places(records: list[Dataset]) -> list[Place]:
    """Each record's score, from a handful of queries whatever the number of records."""
    ids = [record.id for record in records]
    now = utcnow()
    shares, assessed = round_shares(now), _assessments(ids)
    requests, supporting, overrides = _requests(ids), _supporting(ids), _overrides(ids)
    places = []
    for record in records:
        inputs = Inputs(
            department_priority=record.release_priority,
            rounds=[RoundShare(*share) for share in shares.get(record.id, [])],
            linked_requests=requests.get(record.id, 0),
            supports_city_priority=record.id in supporting,
            assessments=assessed.get(record.id, []),
        )
        places.append(Place(0, record, score(inputs), overrides.get(record.id)))
    return places


def release_queue(department: str | None = None) -> list[Place]:
    """Every candidate in score order (ties by target date, then title). Public: levels 1 to 3
    only, so nothing here is restricted."""
    query = select(Dataset).where(is_candidate_record())
    if department:
        query = query.where(Dataset.department.has(code=department.upper()))
    places = _places(list(db.session.scalars(query)))
    places.sort(
        key=lambda place: (
            -place.score,
            place.dataset.release_target_date or date.max,
            place.dataset.title,
        )
    )
    return [
        Place(rank, place.dataset, place.formula, place.override)
        for rank, place in enumerate(places, start=1)
    ]


def standing(dataset: Dataset) -> Place | None:
    """A candidate's score and why (for its review panel); None for records not in the queue."""
    if not db.session.scalar(
        select(Dataset.id).where(Dataset.id == dataset.id, is_candidate_record())
    ):
        return None
    return _places([dataset])[0]


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
