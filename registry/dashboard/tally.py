"""What the dashboard's figures count, read once: the records grouped by everything a figure
asks of one that changes only when the record does (its department, classification and status,
the month it was released, the model's derived statuses), with how many records share each
group; and what moves with time alone (how many are overdue at the moment, how many of each
department's changed in the year before it).

A moment after the inventory's last change is the inventory as it stands: the groups are the
counts kept as records change (catalog.counts, a few hundred rows whatever the size), and the
time-moved figures are indexed queries. An earlier moment is read from the records as they
stood then (datasets.queries.every_record_as_of), grouped in Python by the same properties.
Both give one `Kind` per group, so no figure is computed two ways; tests/catalog/test_tally.py
checks that both readings of one moment agree.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from registry.accounts.models import Department
from registry.dashboard.counts import counted, is_released
from registry.datasets.models import Dataset, dataset_city_priorities
from registry.datasets.queries import every_record_as_of, is_current
from registry.datasets.visibility import RELEASABLE
from registry.extensions import db
from registry.performance.models import CityPriority
from registry.portal.history import on_portal_by
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
    complete: bool  # its metadata complete


@dataclass
class Tally:
    moment: datetime
    kinds: Counter  # Kind: how many records
    supports: Counter  # city priority name: how many published records support it
    owners: dict[int, str]  # the department code of each record a data request is planned into
    overdue: int  # approved records past their target date at the moment
    recent: Counter  # department code: how many of its records changed in the year before
    # Released records with an update frequency that a portal had shown a change of by then:
    # id: (department code, update frequency), for their freshness (portal.history).
    cadences: dict[int, tuple[str, str]]


def tally(moment: datetime) -> Tally:
    """The records as they stood at the moment, grouped."""
    return _live(moment) if is_current(moment) else _as_of(moment)


def _as_of(moment: datetime) -> Tally:
    day, year_ago = moment.date(), moment - YEAR
    kinds: Counter = Counter()
    supports: Counter = Counter()
    wanted = set(db.session.scalars(_requested_ids(moment)))
    owners: dict[int, str] = {}
    overdue, recent = 0, Counter()
    on_portal = set(db.session.scalars(on_portal_by(day)))
    cadences: dict[int, tuple[str, str]] = {}
    for record in every_record_as_of(moment):
        kinds[
            Kind(
                record.department_code,
                record.classification,
                record.status,
                f"{record.published_on:%Y-%m}" if record.published_on else None,
                bool(record.published_on_time),
                bool(record.published_late),
                bool(record.metadata_complete),
            )
        ] += 1
        overdue += bool(record.is_overdue(day))
        recent[record.department_code] += bool(record.updated_since(year_ago))
        if record.status == State.PUBLISHED:
            supports.update(record.city_priority_names)
        if record.id in wanted:
            owners[record.id] = record.department_code
        released = is_released(record.classification, record.status)
        if released and record.id in on_portal and record.update_frequency:
            cadences[record.id] = (record.department_code, record.update_frequency)
    return Tally(moment, kinds, supports, owners, overdue, +recent, cadences)


def _live(moment: datetime) -> Tally:
    """The kept counts (catalog.counts), and what moves with time alone by indexed queries."""
    day, year_ago = moment.date(), moment - YEAR
    codes = dict(db.session.execute(select(Department.id, Department.code)).tuples().all())
    kinds: Counter = Counter()
    for department, classification, status, released, *flags, count in counted():
        kinds[Kind(codes[department], classification, status, released, *flags)] += count
    overdue = db.session.scalar(
        select(func.count()).select_from(Dataset).where(Dataset.is_overdue(day))
    )
    recent = Counter(
        {
            codes[department]: count
            for department, count in db.session.execute(
                select(Dataset.department_id, func.count())
                .where(Dataset.updated_since(year_ago))
                .group_by(Dataset.department_id)
            )
        }
    )
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
    cadences = {
        record_id: (department, frequency)
        for record_id, department, frequency in db.session.execute(
            select(Dataset.id, Department.code, Dataset.update_frequency)
            .join(Department, Department.id == Dataset.department_id)
            .where(
                Dataset.id.in_(on_portal_by(day)),
                Dataset.status == str(State.PUBLISHED),
                Dataset.classification.in_(RELEASABLE),
                Dataset.update_frequency.is_not(None),
            )
        )
    }
    return Tally(moment, kinds, supports, owners, overdue or 0, recent, cadences)


def _requested_ids(moment: datetime):
    return (
        select(DataRequest.dataset_id)
        .where(DataRequest.dataset_id.is_not(None), DataRequest.created_at <= moment)
        .distinct()
    )
