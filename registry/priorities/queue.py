"""The release queue: records at levels 1 to 3 not yet published (approved ones included) in
order of their priority score, each with why it stands there; and what feeds the score that
people record: the committee's assessments and a coordinator's override."""

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, select, tuple_

from registry.accounts.models import Department
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.models import Dataset
from registry.db import utcnow
from registry.derived import settle
from registry.errors import PermissionDenied
from registry.extensions import db
from registry.permissions import Permission, has_permission
from registry.priorities.models import Assessment, QueueScore, ScoreOverride
from registry.priorities.schemas import AssessmentIn, OverrideIn
from registry.priorities.scoring import CRITERIA, Score
from registry.priorities.standings import formula_of
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


class Ranking(Sequence):
    """The queue's places, read off the kept scores' index in order: a page of it, the home
    page's first few, or batches of it for the API load only the records they show."""

    def __init__(self, *where, empty: bool = False) -> None:
        self.where, self.empty = list(where), empty
        self._length: int | None = None

    def __len__(self) -> int:
        if self._length is None:
            counted = select(func.count()).select_from(QueueScore).where(*self.where)
            self._length = 0 if self.empty else db.session.scalar(counted)
        return self._length

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                raise ValueError("The queue is read in order.")
            return self._places(start, max(0, stop - start))
        position = range(len(self))[index]
        return self._places(position, 1)[0]

    def __iter__(self) -> Iterator[Place]:
        for start in range(0, len(self), 500):
            yield from self[start : start + 500]

    def _places(self, start: int, count: int, *after) -> list[Place]:
        if count == 0 or self.empty:
            return []
        rows = db.session.execute(
            select(QueueScore, Dataset)
            .join(Dataset, Dataset.id == QueueScore.dataset_id)
            .where(*self.where, *after)
            .order_by(*ORDER)
            .offset(0 if after else start)
            .limit(count)
        ).all()
        return [
            Place(start + number + 1, record, formula_of(row), _override(row))
            for number, (row, record) in enumerate(rows)
        ]

    def page_after(self, cursor: str | None, count: int) -> tuple[list[Place], str | None]:
        """The `count` places after a cursor (the first ones without), read off the index
        however deep, and the cursor of the page after them (None on the last)."""
        if cursor is None:
            places = self._places(0, count + 1)
        else:
            rank, *values = _decoded(cursor)
            places = self._places(rank, count + 1, tuple_(*ORDER) > tuple_(*values))
        if len(places) <= count:
            return places, None
        last = places[count - 1]
        row = db.session.get(QueueScore, last.dataset.id)
        values = [last.rank, row.rank_key, row.target.isoformat(), row.title, row.dataset_id]
        text = json.dumps(values, separators=(",", ":"))
        return places[:count], base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


ORDER = (QueueScore.rank_key, QueueScore.target, QueueScore.title, QueueScore.dataset_id)
WRONG_CURSOR = "This is not a cursor from the queue's `next`."


def _decoded(cursor: str) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        rank, key, target, title, dataset_id = json.loads(base64.urlsafe_b64decode(padded))
        assert isinstance(rank, int) and isinstance(dataset_id, int) and isinstance(title, str)
        return [rank, float(key), date.fromisoformat(target), title, dataset_id]
    except (ValueError, TypeError, AssertionError, binascii.Error, UnicodeDecodeError):
        raise ValidationError({"after": [WRONG_CURSOR]}) from None


def _override(row: QueueScore) -> ScoreOverride | None:
    return db.session.get(ScoreOverride, row.override_id) if row.override_id else None


def release_queue(department: str | None = None, status: str | None = None) -> Ranking:
    """Every candidate in score order (ties by target date, then title), of one department or
    in one state if asked. Public: levels 1 to 3 only, so nothing here is restricted, and the
    order is the same for everyone. Read off the kept scores (priorities.standings), after
    settling what this transaction changed."""
    settle()
    where = [] if status is None else [QueueScore.status == status]
    if not department:
        return Ranking(*where)
    found = db.session.scalar(select(Department.id).where(Department.code == department.upper()))
    return Ranking(QueueScore.department_id == found, *where, empty=found is None)


def standing(dataset: Dataset) -> Place | None:
    """A candidate's score and why (for its review panel); None for records not in the queue."""
    settle()
    row = db.session.get(QueueScore, dataset.id)
    if row is None:
        return None
    return Place(0, dataset, formula_of(row), _override(row))


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
