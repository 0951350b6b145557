"""The program's own yearly report, which manual programs let decay: the release plan (every
record approved for release and not yet released, with its target date and, when late, the
reason on record), what was retired and why, the committee's meetings, and a readiness
checklist after the What Works Cities certification criteria the registry can compute, each
with its evidence. For any year: a past year is read as the registry stood when it ended."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select

from registry.accounts.models import Department
from registry.catalog.counts import counted
from registry.datasets.models import Dataset, DatasetVersion
from registry.datasets.queries import every_record_as_of, is_current
from registry.datasets.visibility import RELEASABLE
from registry.db import utcnow
from registry.extensions import db
from registry.memo import remembered
from registry.priorities import requests
from registry.priorities.models import DataRequest
from registry.reviews.meetings import latest_delays
from registry.reviews.models import Meeting, ReleaseDelay
from registry.reviews.workflow import State

QUARTER_DAYS = 92
DEPARTMENT_COVERAGE = 0.8
REQUESTS_IN_TIME = 0.9


@dataclass
class Check:
    criterion: str
    met: bool
    evidence: str


@dataclass
class Report:
    year: int
    moment: datetime
    plan: list[dict[str, Any]] = field(default_factory=list)
    retired: list[dict[str, Any]] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    checklist: list[Check] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.moment.year > self.year


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

    planned: list[Planned]
    departments: set[int]  # those holding any record
    published: int
    approved: int


def _held(moment: datetime) -> Held:
    """From the records themselves when none changed since the moment (the year under way,
    mostly), or as each stood then."""
    day = moment.date()
    if is_current(moment):
        planned = db.session.execute(
            select(
                Dataset.id,
                Dataset.identifier,
                Dataset.title,
                Dataset.department_id,
                Dataset.release_target_date,
                Dataset.is_overdue(day),
            ).where(Dataset.status == str(State.APPROVED), Dataset.classification.in_(RELEASABLE))
        )
        kinds = counted()  # kept as records change (catalog.counts)
        statuses: Counter = Counter()
        for kind in kinds:
            statuses[kind[2]] += kind[-1]
        return Held(
            [Planned(*row[:5], bool(row[5])) for row in planned],
            {kind[0] for kind in kinds},
            statuses[str(State.PUBLISHED)],
            statuses[str(State.APPROVED)],
        )
    records = list(every_record_as_of(moment))
    return Held(
        [
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
        ],
        {r.department_id for r in records},
        sum(1 for r in records if r.status == State.PUBLISHED),
        sum(1 for r in records if r.status == State.APPROVED),
    )


def build(year: int) -> Report:
    """The report. What it reads of the records is the same for everyone, so it is kept until
    the inventory changes (registry.memo), for the hour its moment falls in, as the
    dashboard's figures are; the meetings are read each time."""
    moment = end_of_year(year)
    hour = moment.replace(minute=0, second=0, microsecond=0)
    report = Report(year, moment)
    report.plan, report.retired, report.checklist = remembered(
        ("report", year, hour), lambda: _read(year, moment)
    )
    start = datetime(year, 1, 1, tzinfo=UTC).date()
    report.meetings = list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.held_on >= start, Meeting.held_on <= moment.date() + timedelta(days=366))
            .order_by(Meeting.held_on)
        )
    )
    return report


def _read(year: int, moment: datetime) -> tuple[list, list, list[Check]]:
    held = _held(moment)
    return _plan(held.planned, moment), _retired(year, moment), _checklist(held, moment)


def _plan(planned: list[Planned], moment: datetime) -> list[dict[str, Any]]:
    day = moment.date()
    delays = {
        key: delay
        for key, delay in latest_delays([r.id for r in planned if r.overdue]).items()
        if delay.recorded_at <= moment
    }
    names = _department_names()
    rows = []
    for record in sorted(planned, key=lambda r: (r.release_target_date or date.max, r.title)):
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


def _retired(year: int, moment: datetime) -> list[dict[str, Any]]:
    start = datetime(year, 1, 1, tzinfo=UTC)
    query = (
        select(
            DatasetVersion.classification,
            DatasetVersion.snapshot,
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
        .order_by(DatasetVersion.changed_at)
    )
    names = _department_names()
    rows = []
    for version in db.session.execute(query):
        # Named only if releasable then and today: a record restricted since is not named.
        named = version.classification in RELEASABLE and version.classification_now in RELEASABLE
        rows.append(
            {
                "identifier": version.snapshot.get("identifier") if named else None,
                "title": version.snapshot.get("title") if named else "A restricted dataset",
                "department": names.get(version.department_id, ""),
                "on": version.changed_at.date(),
                "reason": version.note,
            }
        )
    return rows


def _checklist(held: Held, moment: datetime) -> list[Check]:
    day = moment.date()
    checks = []
    last_change = db.session.scalar(
        select(func.max(DatasetVersion.changed_at)).where(DatasetVersion.changed_at <= moment)
    )
    fresh = last_change is not None and moment - last_change <= timedelta(days=365)
    checks.append(
        Check(
            "The inventory was updated within the last 12 months",
            fresh,
            f"Last change to the inventory: {last_change:%d %B %Y}." if last_change else "None.",
        )
    )
    departments = db.session.scalar(select(func.count(Department.id))) or 0
    covered = len(held.departments)
    share = covered / departments if departments else 0
    checks.append(
        Check(
            "The inventory covers more than 80% of departments",
            share > DEPARTMENT_COVERAGE,
            f"{covered} of {departments} departments have listed their datasets ({share:.0%}).",
        )
    )
    published = held.published
    checks.append(
        Check(
            "The inventory is published online",
            published > 0,
            f"The public inventory lists every dataset at levels 1 to 3; {published} are in the "
            "catalog and data.json.",
        )
    )
    checks += _meeting_checks(day)
    checks.append(_request_check(moment))
    undated = [r for r in held.planned if r.release_target_date is None]
    approved = held.approved
    checks.append(
        Check(
            "There is a release plan with dates",
            not undated,
            f"{approved} approved datasets await release; "
            + (f"{len(undated)} have no target date." if undated else "every one has a date."),
        )
    )
    return checks


def _meeting_checks(day: date) -> list[Check]:
    year_ago = day - timedelta(days=365)
    held = list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.held_on <= day, Meeting.held_on > year_ago)
            .order_by(Meeting.held_on)
        )
    )
    dates = [year_ago, *(m.held_on for m in held), day]
    longest = max((later - earlier).days for earlier, later in pairwise(dates))
    quarterly = bool(held) and longest <= QUARTER_DAYS
    last_two = list(
        db.session.scalars(
            select(Meeting).where(Meeting.held_on <= day).order_by(Meeting.held_on.desc()).limit(2)
        )
    )
    with_minutes = [m for m in last_two if m.minutes_url]
    upcoming = db.session.scalar(
        select(Meeting).where(Meeting.held_on > day).order_by(Meeting.held_on).limit(1)
    )
    return [
        Check(
            "The governance committee meets at least quarterly",
            quarterly,
            f"{len(held)} meetings in the 12 months before; the longest gap was {longest} days.",
        ),
        Check(
            "Minutes of its last two meetings are published",
            len(last_two) == 2 and len(with_minutes) == 2,
            f"{len(with_minutes)} of the last {len(last_two)} meetings have minutes published.",
        ),
        Check(
            "The next meeting is scheduled",
            upcoming is not None,
            f"Next meeting: {upcoming.held_on:%d %B %Y}." if upcoming else "None is scheduled.",
        ),
    ]


def _request_check(moment: datetime) -> Check:
    # What the clocks read of each request (requests.clocks), not the requests whole.
    asked = db.session.execute(
        select(DataRequest.created_at, DataRequest.acknowledged_at, DataRequest.answered_at).where(
            DataRequest.created_at <= moment
        )
    ).all()
    settings = requests.program_settings()
    clocks = [requests.clocks(item, moment, settings) for item in asked]
    answered = [clock for clock in clocks if clock["answered"]]
    in_time = sum(1 for clock in answered if clock["answered_in_time"])
    overdue = sum(
        1
        for clock in clocks
        if not clock["answered"] and (clock["acknowledgement_overdue"] or clock["answer_overdue"])
    )
    share = in_time / len(answered) if answered else 1.0
    channel = "anyone" if requests.program_settings().public_requests else "anyone with an account"
    return Check(
        "A public channel for data requests, answered within the policy's deadlines",
        share >= REQUESTS_IN_TIME and overdue == 0,
        f"The requests board takes requests from {channel}; {in_time} of {len(answered)} "
        f"answered requests were answered in time, and {overdue} are past a deadline now.",
    )


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
                for row in report.plan
            ],
        ),
        (
            "Retired",
            ["Identifier", "Dataset", "Department", "Retired on", "Reason"],
            [
                [row["identifier"], row["title"], row["department"], row["on"], row["reason"]]
                for row in report.retired
            ],
        ),
        (
            "Meetings",
            ["Date", "Attendees", "Minutes", "Agenda items"],
            [[m.held_on, m.attendees, m.minutes_url, len(m.agenda)] for m in report.meetings],
        ),
        (
            "Checklist",
            ["Criterion", "Met", "Evidence"],
            [[c.criterion, "yes" if c.met else "no", c.evidence] for c in report.checklist],
        ),
    ]
