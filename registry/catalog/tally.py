"""What the dashboard's figures count, read once: the records grouped by everything a figure
asks of one (its department, classification and status, the month it was released, and the
model's derived statuses at the moment), with how many records share each group.

A moment after the inventory's last change is the inventory as it stands, and the database
counts the groups itself from the live table, with the derived statuses' SQL twins (a few
hundred groups, whatever the size). An earlier moment is read from the records as they stood
then (datasets.queries.every_record_as_of), grouped in Python by the same properties. Both
give one `Kind` per group, so no figure is computed two ways; tests/catalog/test_tally.py
checks that both readings of one moment agree.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from registry.accounts.models import Department
from registry.datasets.models import CityPriority, Dataset, dataset_city_priorities
from registry.datasets.queries import every_record_as_of, is_current
from registry.extensions import db
from registry.priorities.models import DataRequest
from registry.reviews.workflow import State

YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Kind:
    """One group of records: what the figures ask of a record, and nothing else."""

    department: str  # its code
    classification: str
    status: str
    released: str | None  # the month it was published ("2026-03"), if it was
    on_time: bool  # published by its target date (or with none)
    late: bool  # published after its target date
    overdue: bool  # approved and past its target date at the moment
    complete: bool  # its metadata complete
    recent: bool  # changed in the 12 months before the moment


@dataclass
class Tally:
    moment: datetime
    kinds: Counter  # Kind: how many records
    supports: Counter  # city priority name: how many published records support it
    owners: dict[int, str]  # the department code of each record a data request is planned into


def tally(moment: datetime) -> Tally:
    """The records as they stood at the moment, grouped."""
    return _live(moment) if is_current(moment) else _as_of(moment)


def _as_of(moment: datetime) -> Tally:
    day, year_ago = moment.date(), moment - YEAR
    kinds: Counter = Counter()
    supports: Counter = Counter()
    wanted = set(db.session.scalars(_requested_ids(moment)))
    owners: dict[int, str] = {}
    for record in every_record_as_of(moment):
        kinds[
            Kind(
                record.department_code,
                record.classification,
                record.status,
                f"{record.published_on:%Y-%m}" if record.published_on else None,
                bool(record.published_on_time),
                bool(record.published_late),
                bool(record.is_overdue(day)),
                bool(record.metadata_complete),
                bool(record.updated_since(year_ago)),
            )
        ] += 1
        if record.status == State.PUBLISHED:
            supports.update(record.city_priority_names)
        if record.id in wanted:
            owners[record.id] = record.department_code
    return Tally(moment, kinds, supports, owners)


def _flag(condition):
    """A derived status as 1 or 0 (never null, which a comparison with a null gives)."""
    return case((condition, 1), else_=0)


def _month(column):
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _live(moment: datetime) -> Tally:
    day, year_ago = moment.date(), moment - YEAR
    parts = (
        Department.code,
        Dataset.classification,
        Dataset.status,
        _month(Dataset.published_on),
        _flag(Dataset.published_on_time),
        _flag(Dataset.published_late),
        _flag(Dataset.is_overdue(day)),
        _flag(Dataset.metadata_complete),
        _flag(Dataset.updated_since(year_ago)),
    )
    grouped = db.session.execute(
        select(*parts, func.count())
        .join(Department, Department.id == Dataset.department_id)
        .group_by(*parts)
    )
    kinds: Counter = Counter()
    for *values, count in grouped:
        code, classification, status, released, *flags = values
        kinds[Kind(code, classification, status, released, *(bool(f) for f in flags))] += count
    supports = Counter(
        dict(
            db.session.execute(
                select(CityPriority.name, func.count())
                .join(
                    dataset_city_priorities,
                    dataset_city_priorities.c.priority_id == CityPriority.id,
                )
                .join(Dataset, Dataset.id == dataset_city_priorities.c.dataset_id)
                .where(Dataset.status == str(State.PUBLISHED))
                .group_by(CityPriority.name)
            )
            .tuples()
            .all()
        )
    )
    owners = dict(
        db.session.execute(
            select(Dataset.id, Department.code)
            .join(Department, Department.id == Dataset.department_id)
            .where(Dataset.id.in_(_requested_ids(moment)))
        )
        .tuples()
        .all()
    )
    return Tally(moment, kinds, supports, owners)


def _requested_ids(moment: datetime):
    return (
        select(DataRequest.dataset_id)
        .where(DataRequest.dataset_id.is_not(None), DataRequest.created_at <= moment)
        .distinct()
    )
