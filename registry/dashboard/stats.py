"""The progress dashboard's figures, now or as of any moment: each a small table (a title, what
it shows, its columns and rows) that the page draws as a chart, the API serves as JSON and the
CSV download writes. Counts only: no figure names a record the reader may not read, and
restricted records appear only as numbers, as the design allows everyone to see.

Every figure reads the inventory as it stood at the moment, grouped by what the figures ask of
a record with the model's own derived statuses (catalog.tally: counted by the database when the
moment is after the last change, read through datasets.queries.every_record_as_of before it),
so the dashboard, the exports and the pages agree."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from registry.accounts.models import Department
from registry.dashboard.counts import is_released
from registry.dashboard.tally import Kind, Tally, tally
from registry.datasets.models import Dataset
from registry.datasets.visibility import RELEASABLE, readable_by
from registry.datasets.vocab import Classification
from registry.extensions import db
from registry.memo import for_the_hour, remembered
from registry.performance.figures import STATUSES, status_counts
from registry.performance.models import CityPriority
from registry.performance.rules import STATUS_LABELS
from registry.portal.history import judged_as_of
from registry.priorities import requests, rounds
from registry.priorities.models import VotingRound
from registry.reviews.workflow import State

FUNNEL = [
    State.DRAFT,
    State.SUBMITTED,
    State.IN_COMMITTEE,
    State.CHANGES_REQUESTED,
    State.APPROVED,
    State.PUBLISHED,
]
RELEASE_MONTHS = 24
TOP_PRIORITIES = 10


@dataclass
class Figure:
    """One chart's data. `rows` are lists in `columns` order; the first column names the row."""

    name: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    chart: str = "bars"  # bars, stacked, line or table
    unit: str = "datasets"
    total: int | None = None  # the figure's key number, where it has one (the dashboard's top)
    share_columns: tuple[int, ...] = ()  # columns (by position) that are shares, shown as %

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "columns": self.columns,
            "rows": self.rows,
        }


@dataclass
class Snapshot:
    """What the figures are computed from, read once: the records (grouped) and the requests
    at a moment."""

    moment: datetime
    tally: Tally
    departments: dict[str, str]  # code: name
    requests: requests.RequestCounts
    # Each record's requests planned into it: those answered or past the answer's deadline,
    # and those answered in time (the scorecard's share).
    planned: dict[int, tuple[int, int]]

    @property
    def day(self) -> date:
        return self.moment.date()

    def counted(self, where=lambda kind: True) -> int:
        """How many records are of a kind that `where` accepts."""
        return sum(count for kind, count in self.tally.kinds.items() if where(kind))


def read(moment: datetime) -> Snapshot:
    departments = dict(
        db.session.execute(select(Department.code, Department.name).order_by(Department.name))
        .tuples()
        .all()
    )
    counts, planned = requests.clock_counts(moment)
    return Snapshot(
        moment,
        tally(moment),
        departments,
        counts,
        planned,
    )


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def inventory(snapshot: Snapshot) -> Figure:
    counts: dict[str, Counter] = defaultdict(Counter)
    for kind, count in snapshot.tally.kinds.items():
        counts[kind.department][kind.classification] += count
    levels = list(Classification)
    figure = Figure(
        "inventory",
        "The inventory by department and classification",
        "How many datasets each department holds, at each of the four sensitivity levels.",
        ["Department", *(level.label for level in levels), "Total"],
        chart="stacked",
    )
    for code, name in snapshot.departments.items():
        row = [counts[code][str(level)] for level in levels]
        if sum(row):
            figure.rows.append([name, *row, sum(row)])
    return figure


def funnel(snapshot: Snapshot) -> Figure:
    counts: Counter = Counter()
    for kind, count in snapshot.tally.kinds.items():
        counts[kind.status] += count
    figure = Figure(
        "funnel",
        "From draft to published",
        "How many datasets stand at each step of the review workflow; rejected and retired "
        "datasets are counted apart.",
        ["Step", "Datasets"],
    )
    for state in [*FUNNEL, State.REJECTED, State.RETIRED]:
        figure.rows.append([state.label, counts[str(state)]])
    figure.total = snapshot.counted(lambda kind: is_released(kind.classification, kind.status))
    return figure


def timeliness(snapshot: Snapshot) -> Figure:
    approved = snapshot.counted(lambda kind: kind.status == State.APPROVED)
    overdue = snapshot.tally.overdue
    return Figure(
        "timeliness",
        "Release on time",
        "Datasets released by their target date, released after it, and approved datasets "
        "past their target date and still not released.",
        ["Release", "Datasets"],
        [
            ["Released on time", snapshot.counted(lambda kind: kind.on_time)],
            ["Released late", snapshot.counted(lambda kind: kind.late)],
            ["Overdue now", overdue],
            ["Approved, not yet due", approved - overdue],
        ],
    )


def _month_starts(day: date, months: int) -> list[date]:
    first = day.replace(day=1)
    starts = []
    for _ in range(months):
        starts.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return list(reversed(starts))


def releases(snapshot: Snapshot) -> Figure:
    months = _month_starts(snapshot.day, RELEASE_MONTHS)
    released: Counter = Counter()
    for kind, count in snapshot.tally.kinds.items():
        if kind.released is not None:
            released[kind.released] += count
    figure = Figure(
        "releases",
        "Datasets released over time",
        f"How many datasets the city had released in all, at the end of each of the last "
        f"{RELEASE_MONTHS} months.",
        ["Month", "Released in all"],
        chart="line",
    )
    for start in months:
        month = f"{start:%Y-%m}"
        figure.rows.append([month, sum(n for when, n in released.items() if when <= month)])
    return figure


def stakeholder_priorities(snapshot: Snapshot) -> Figure:
    closed = [
        item
        for item in db.session.scalars(select(VotingRound).order_by(VotingRound.closes_at.desc()))
        if item.closes() <= snapshot.moment
    ]
    latest = closed[0] if closed else None
    figure = Figure(
        "stakeholder-priorities",
        "The stakeholders' top priorities",
        f"The most voted candidates of the last closed round ({latest.title})."
        if latest
        else "No voting round had closed by then.",
        ["Candidate", "Votes"],
        unit="votes",
    )
    if latest is not None:
        for row in (rounds.tallies(latest) or [])[:TOP_PRIORITIES]:
            figure.rows.append([row["title"], row["votes"]])
    return figure


def city_priorities(snapshot: Snapshot) -> Figure:
    names = list(db.session.scalars(select(CityPriority.name).order_by(CityPriority.position)))
    counts = snapshot.tally.supports
    return Figure(
        "city-priorities",
        "Released datasets per city priority",
        "How many published datasets support each of the city's strategic priorities.",
        ["City priority", "Released datasets"],
        [[name, counts[name]] for name in names],
    )


def request_figures(snapshot: Snapshot) -> Figure:
    counts = snapshot.requests
    answered_in_time, overdue = counts.in_time, counts.overdue
    answered_late = counts.answered - counts.in_time
    waiting = counts.made - counts.answered - counts.overdue
    return Figure(
        "requests",
        "Data requests and the policy's deadlines",
        "Requests answered within the policy's deadlines, answered after them, past a deadline "
        "now, and still within them.",
        ["Requests", "Number"],
        [
            ["Answered in time", answered_in_time],
            ["Answered late", answered_late],
            ["Overdue now", overdue],
            ["Within the deadlines", waiting],
        ],
        unit="requests",
    )


def scorecard(snapshot: Snapshot) -> Figure:
    """Per department, the What Works Cities measures a program tracks."""
    by_department: dict[str, dict[Kind, int]] = defaultdict(dict)
    for kind, count in snapshot.tally.kinds.items():
        by_department[kind.department][kind] = count
    in_time: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # due, and answered in time
    owners = snapshot.tally.owners
    for dataset_id, (due, quick) in snapshot.planned.items():
        if dataset_id in owners:
            in_time[owners[dataset_id]][0] += due
            in_time[owners[dataset_id]][1] += quick
    figure = Figure(
        "scorecard",
        "Department scorecard",
        "For each department: the share of its inventory with complete metadata, published "
        "(of what may be released), released on time (of what it published), and updated in the "
        "last 12 months; and the share of the data requests planned into its datasets that "
        "were answered within the policy's deadline.",
        [
            "Department",
            "Datasets",
            "Complete metadata",
            "Published",
            "Released on time",
            "Updated in the last 12 months",
            "Requests answered in time",
        ],
        chart="table",
        unit="share",
    )
    for code, name in snapshot.departments.items():
        kinds = by_department.get(code)
        if not kinds:
            continue

        def held(where=lambda kind: True, kinds=kinds) -> int:
            return sum(count for kind, count in kinds.items() if where(kind))

        releasable = held(lambda kind: kind.classification in RELEASABLE)
        released = held(lambda kind: kind.released is not None)
        due, quick = in_time.get(code, (0, 0))
        figure.rows.append(
            [
                name,
                held(),
                _share(held(lambda kind: kind.complete), held()),
                _share(
                    held(
                        lambda kind: (
                            kind.classification in RELEASABLE and kind.status == State.PUBLISHED
                        )
                    ),
                    releasable,
                ),
                _share(held(lambda kind: kind.on_time), released),
                _share(snapshot.tally.recent[code], held()),
                _share(quick, due),
            ]
        )
    return figure


def freshness(snapshot: Snapshot) -> Figure:
    """Per department, its released datasets on a portal judged against their update
    frequency as of the day (portal.freshness, from every change the portals showed)."""
    cadences = snapshot.tally.cadences
    judged = judged_as_of(
        snapshot.day, {rid: frequency for rid, (_, frequency) in cadences.items()}
    )
    by_department: dict[str, list] = defaultdict(list)
    for record_id, found in judged.items():
        by_department[cadences[record_id][0]].append(found)
    figure = Figure(
        "freshness",
        "Released data kept up to date",
        "For each department, its released datasets with an update frequency that the city's "
        "portal lists: how many, the share updated as often as they say (the portal's last "
        "change against the frequency), and the median days late of those late.",
        ["Department", "Datasets judged", "On time", "Median days late"],
        chart="table",
        share_columns=(2,),
    )
    for code, name in snapshot.departments.items():
        found = by_department.get(code)
        if not found:
            continue
        late = [item.days_late for item in found if not item.on_time]
        on_time = len(found) - len(late)
        figure.rows.append(
            [name, len(found), _share(on_time, len(found)), median(late) if late else None]
        )
    figure.total = sum(row[1] for row in figure.rows)
    return figure


def measures(snapshot: Snapshot) -> Figure:
    rows = status_counts(snapshot.moment)
    return Figure(
        "measures",
        "The city's priorities: measures on track",
        "Each city priority's measures, by where they stood against their targets: the "
        "latest period ended, or a later one already reported.",
        ["City priority", *(STATUS_LABELS[status] for status in STATUSES), "Measures"],
        rows,
        chart="stacked",
        unit="measures",
        total=sum(row[-1] for row in rows),
    )


FIGURES = {
    "inventory": inventory,
    "funnel": funnel,
    "timeliness": timeliness,
    "releases": releases,
    "stakeholder-priorities": stakeholder_priorities,
    "city-priorities": city_priorities,
    "requests": request_figures,
    "scorecard": scorecard,
    "freshness": freshness,
    "measures": measures,
}


def figures(moment: datetime, names: list[str] | None = None) -> list[Figure]:
    """The figures as of a moment. They are the same for everyone, so they are kept until the
    inventory changes (registry.memo) or a voting round opens or closes, for the hour the
    moment falls in: a figure that depends on the clock otherwise (a request past its
    deadline) is at most an hour late, never wrong about the records."""
    hour, until = for_the_hour(moment)
    wanted = tuple(names or FIGURES)
    key = ("figures", hour, rounds.round_marks(moment), wanted)
    return remembered(key, lambda: _computed(moment, wanted), until)


def _computed(moment: datetime, names: tuple[str, ...]) -> list[Figure]:
    snapshot = read(moment)
    return [FIGURES[name](snapshot) for name in names]


OVERDUE_SHOWN = 20


def overdue_for(reader, day: date) -> tuple[int, list[Dataset]]:
    """Approved records past their target date that this reader may read (staff detail): how
    many, and the OVERDUE_SHOWN longest overdue, with their departments."""
    condition = (Dataset.is_overdue(day), readable_by(reader))
    total = db.session.scalar(select(func.count()).select_from(Dataset).where(*condition))
    query = (
        select(Dataset)
        .options(joinedload(Dataset.department))
        .where(*condition)
        .order_by(Dataset.release_target_date, Dataset.title)
        .limit(OVERDUE_SHOWN)
    )
    return total or 0, list(db.session.scalars(query))
