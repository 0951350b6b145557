"""The program's own yearly report, which manual programs let decay: the release plan (every
record approved for release and not yet released, with its target date and, when late, the
reason on record), what was retired and why, the committee's meetings, where each measure of
the city's priorities stood against its target at the year's end, and a readiness
checklist after the What Works Cities certification criteria the registry can compute, each
with its evidence. For any year: a past year is read as the registry stood when it ended."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from registry.accounts.models import Department
from registry.dashboard.checklist import Check, checklist
from registry.dashboard.counts import counted, is_released
from registry.datasets.models import Dataset, DatasetVersion
from registry.datasets.queries import every_record_as_of, is_current
from registry.datasets.visibility import RELEASABLE
from registry.db import utcnow
from registry.extensions import db
from registry.memo import remembered
from registry.performance.figures import where_measures_stood
from registry.reviews.meetings import latest_delays
from registry.reviews.models import Meeting, ReleaseDelay
from registry.reviews.workflow import State

# The page lists this many of a year's retirements; the report's files hold them all.
RETIRED_SHOWN = 50


@dataclass
class Report:
    year: int
    moment: datetime
    plan_total: int = 0  # how many records the release plan holds (plan() reads them)
    retired: list[dict[str, Any]] = field(default_factory=list)  # the first RETIRED_SHOWN
    retired_total: int = 0
    meetings: list[Meeting] = field(default_factory=list)
    checklist: list[Check] = field(default_factory=list)
    measures: list[dict[str, Any]] = field(default_factory=list)  # where each stood at the end

    @property
    def complete(self) -> bool:
        return self.moment.year > self.year

    def plan(self, offset: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        """The release plan's rows from `offset` (all of them with no limit), by target date
        (undated last), then title."""
        if is_current(self.moment):
            planned = _planned_now(self.moment.date(), offset, limit)
        else:
            whole = _held_then(self.year, self.moment).planned
            planned = whole[offset : None if limit is None else offset + limit]
        return _plan(planned, self.moment)


def end_of_year(year: int) -> datetime:
    """The report's moment: the year's end, or now for the year under way."""
    end = datetime(year + 1, 1, 1, tzinfo=UTC) - timedelta(microseconds=1)
    return min(end, utcnow())


@dataclass
class Planned:
    """A record approved for release and not yet released, as the plan shows it."""

    id: int
    identifier: str
    title: str
    department_id: int
    release_target_date: date | None
    overdue: bool  # past its target date at the report's moment (Dataset.is_overdue)


@dataclass
class Held:
    """What the report reads of the records at its moment."""

    departments: set[int]  # those holding any record
    published: int  # released: published at a level the public may read (counts.is_released)
    approved: int
    planned_total: int  # approved, at levels 1 to 3
    undated: int  # of those, how many have no target date
    planned: list[Planned] = field(default_factory=list)  # a past year's, whole


def _planned_query(day: date):
    return select(
        Dataset.id,
        Dataset.identifier,
        Dataset.title,
        Dataset.department_id,
        Dataset.release_target_date,
        Dataset.is_overdue(day),
    ).where(Dataset.status == str(State.APPROVED), Dataset.classification.in_(RELEASABLE))


def _planned_now(day: date, offset: int, limit: int | None) -> list[Planned]:
    """A page of the plan off the index of approved records by target date and title: the
    dated ones first, then the undated (a count is read only for a page past the dated)."""
    query = _planned_query(day)
    dated = query.where(Dataset.release_target_date.is_not(None)).order_by(
        Dataset.release_target_date, Dataset.title, Dataset.id
    )
    rows = list(db.session.execute(dated.offset(offset).limit(limit)))
    if limit is None or len(rows) < limit:
        if rows:
            dated_total = offset + len(rows)
        else:
            dated_total = db.session.scalar(select(func.count()).select_from(dated.subquery()))
        undated = query.where(Dataset.release_target_date.is_(None)).order_by(
            Dataset.title, Dataset.id
        )
        more = None if limit is None else limit - len(rows)
        rows += db.session.execute(undated.offset(max(0, offset - dated_total)).limit(more))
    return [Planned(*row[:5], bool(row[5])) for row in rows]


def _held(moment: datetime) -> Held:
    """From the counts kept as records change (catalog.counts) and the index of approved
    records when none changed since the moment (the year under way, mostly), or from each
    record as it stood then."""
    return _held_now(moment) if is_current(moment) else _held_as_of(moment)


def _held_now(moment: datetime) -> Held:
    statuses: Counter = Counter()
    planned_total = released = 0
    departments = set()
    for department, classification, status, *_, count in counted():
        statuses[status] += count
        departments.add(department)
        if is_released(classification, status):
            released += count
        if status == str(State.APPROVED) and classification in RELEASABLE:
            planned_total += count
    undated = _planned_query(moment.date()).where(Dataset.release_target_date.is_(None))
    return Held(
        departments,
        released,
        statuses[str(State.APPROVED)],
        planned_total,
        db.session.scalar(select(func.count()).select_from(undated.subquery())) or 0,
    )


def _held_as_of(moment: datetime) -> Held:
    day = moment.date()
    records = list(every_record_as_of(moment))
    planned = sorted(
        (
            Planned(
                r.id,
                r.identifier,
                r.title,
                r.department_id,
                r.release_target_date,
                r.is_overdue(day),
            )
            for r in records
            if r.status == State.APPROVED and r.classification in RELEASABLE
        ),
        key=lambda r: (r.release_target_date or date.max, r.title, r.id),
    )
    return Held(
        {r.department_id for r in records},
        sum(1 for r in records if is_released(r.classification, r.status)),
        sum(1 for r in records if r.status == State.APPROVED),
        len(planned),
        sum(1 for r in planned if r.release_target_date is None),
        planned,
    )


def _held_then(year: int, moment: datetime) -> Held:
    return remembered(("report-held", year), lambda: _held(moment))


def build(year: int) -> Report:
    """The report, but for its plan, which is read a page at a time (Report.plan). The year
    under way reads kept counts and indexes each time; a past year, read from every record as
    it stood then, is kept until the inventory changes (registry.memo)."""
    moment = end_of_year(year)
    report = Report(year, moment)
    held = _held(moment) if is_current(moment) else _held_then(year, moment)
    report.plan_total = held.planned_total
    report.retired = retired(year, moment, RETIRED_SHOWN)
    report.retired_total = retired_count(year, moment)
    report.checklist = checklist(held, moment)
    report.measures = where_measures_stood(moment)
    start = datetime(year, 1, 1, tzinfo=UTC).date()
    report.meetings = list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.held_on >= start, Meeting.held_on <= moment.date() + timedelta(days=366))
            .order_by(Meeting.held_on)
        )
    )
    return report


def _plan(planned: list[Planned], moment: datetime) -> list[dict[str, Any]]:
    day = moment.date()
    delays = {
        key: delay
        for key, delay in latest_delays([r.id for r in planned if r.overdue]).items()
        if delay.recorded_at <= moment
    }
    names = _department_names()
    rows = []
    for record in planned:
        late = record.overdue
        delay: ReleaseDelay | None = delays.get(record.id)
        rows.append(
            {
                "identifier": record.identifier,
                "title": record.title,
                "department": names.get(record.department_id, ""),
                "target": record.release_target_date,
                "late_days": (day - record.release_target_date).days if late else None,
                "reason": delay.reason if delay and late else None,
                "expected_on": delay.expected_on if delay and late else None,
            }
        )
    return rows


def _department_names() -> dict[int, str]:
    return dict(db.session.execute(select(Department.id, Department.name)).tuples().all())


def _retired_query(year: int, moment: datetime):
    start = datetime(year, 1, 1, tzinfo=UTC)
    return (
        select(
            DatasetVersion.classification,
            DatasetVersion.snapshot["identifier"].as_string().label("identifier"),
            DatasetVersion.snapshot["title"].as_string().label("title"),
            DatasetVersion.department_id,
            DatasetVersion.changed_at,
            DatasetVersion.note,
            Dataset.classification.label("classification_now"),
        )
        .join(Dataset, Dataset.id == DatasetVersion.dataset_id)
        .where(
            DatasetVersion.action == "retire",
            DatasetVersion.changed_at >= start,
            DatasetVersion.changed_at <= moment,
        )
    )


def retired_count(year: int, moment: datetime) -> int:
    query = _retired_query(year, moment).subquery()
    return db.session.scalar(select(func.count()).select_from(query)) or 0


def retired(year: int, moment: datetime, limit: int | None = None) -> list[dict[str, Any]]:
    """The year's retirements in order (the first `limit` of them), off the index of versions
    by action and moment; each title read from its version in the database."""
    query = _retired_query(year, moment).order_by(DatasetVersion.changed_at).limit(limit)
    names = _department_names()
    rows = []
    for version in db.session.execute(query):
        # Named only if releasable then and today: a record restricted since is not named.
        named = version.classification in RELEASABLE and version.classification_now in RELEASABLE
        rows.append(
            {
                "identifier": version.identifier if named else None,
                "title": version.title if named else "A restricted dataset",
                "department": names.get(version.department_id, ""),
                "on": version.changed_at.date(),
                "reason": version.note,
            }
        )
    return rows


def sheets(report: Report) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report as tables, for its XLSX and CSV."""
    return [
        (
            "Release plan",
            ["Identifier", "Dataset", "Department", "Target date", "Days late", "Reason on record"],
            [
                [
                    row["identifier"],
                    row["title"],
                    row["department"],
                    row["target"],
                    row["late_days"],
                    row["reason"],
                ]
                for row in report.plan()
            ],
        ),
        (
            "Retired",
            ["Identifier", "Dataset", "Department", "Retired on", "Reason"],
            [
                [row["identifier"], row["title"], row["department"], row["on"], row["reason"]]
                for row in retired(report.year, report.moment)
            ],
        ),
        (
            "Meetings",
            ["Date", "Attendees", "Minutes", "Agenda items"],
            [[m.held_on, m.attendees, m.minutes_url, len(m.agenda)] for m in report.meetings],
        ),
        (
            "Measures",
            [
                "City priority",
                "Measure",
                "Department",
                "Period",
                "Value",
                "Unit",
                "Target",
                "Target date",
                "Status",
            ],
            [
                [
                    row["priority"],
                    row["measure"],
                    row["department"],
                    row["period"],
                    row["value"],
                    row["unit"],
                    row["target"],
                    row["target_date"],
                    row["status_label"],
                ]
                for row in report.measures
            ],
        ),
        (
            "Checklist",
            ["Criterion", "Met", "Evidence"],
            [[c.criterion, "yes" if c.met else "no", c.evidence] for c in report.checklist],
        ),
    ]
