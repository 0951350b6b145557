"""The measures as a reader sees them, now or as of a past day: each period's value in force
then and its status, where the measure stands, and the records it rests on, read by today's
rule (a record restricted since is counted, never named, for whoever may not read it now)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from registry.dashboard.counts import is_released
from registry.datasets.models import Dataset, DatasetVersion
from registry.datasets.visibility import readable_by
from registry.db import is_present
from registry.extensions import db
from registry.performance.models import (
    CityPriority,
    Measure,
    MeasureSource,
    MeasureValue,
    MeasureVersion,
)
from registry.performance.rules import (
    Status,
    last_ended,
    period_code,
    period_label,
    periods,
    short_label,
    standing,
    status,
    written,
)

TREND = 24  # periods a trend shows, at most (two years of a monthly measure)


@dataclass
class Point:
    period: date
    label: str
    code: str
    value: float | None
    status: Status
    row: Any = None  # the value's row (values_of), if one was reported


@dataclass
class Source:
    identifier: str
    title: str
    status: str
    released: bool
    late: bool


@dataclass
class MeasureView:
    measure: Measure
    points: list[Point]
    status: Status
    period: date  # the period the status is of
    latest: Point | None
    sources: list[Source] = field(default_factory=list)
    hidden: int = 0  # records it rests on that the reader may not read

    @property
    def warnings(self) -> list[str]:
        """What is missing of the data behind it, in words."""
        found = [
            f"{source.title} ({source.identifier}) was due for release and is late."
            for source in self.sources
            if source.late
        ]
        found += [
            f"{source.title} ({source.identifier}) is not released yet."
            for source in self.sources
            if not source.released and not source.late
        ]
        if self.hidden:
            found.append(
                f"It rests on {self.hidden} non-public dataset{'' if self.hidden == 1 else 's'}."
            )
        return found


def in_force_at(moment: datetime | None):
    """The value rows in force at a moment (None: now)."""
    if moment is None:
        return MeasureValue.superseded_at.is_(None)
    return (MeasureValue.reported_at <= moment) & or_(
        MeasureValue.superseded_at.is_(None), MeasureValue.superseded_at > moment
    )


def read_at(moment: datetime | None) -> datetime | None:
    """None (what is in force now, off the in-force index) for a moment that is now (db.PRESENT),
    as the dashboard's and the report's "now" are; the moment itself for the past."""
    if moment is None or is_present(moment):
        return None
    return moment


def reported_values(ids: list[int], moment: datetime | None) -> dict[int, dict[date, float]]:
    """Each measure's values in force at a moment (None: now), as plain numbers."""
    found: dict[int, dict[date, float]] = defaultdict(dict)
    query = select(MeasureValue.measure_id, MeasureValue.period, MeasureValue.value).where(
        MeasureValue.measure_id.in_(ids), in_force_at(moment)
    )
    for measure_id, period, value in db.session.execute(query):
        found[measure_id][period] = value
    return found


# What a page or answer shows of a value in force (rows, not ORM objects: a board of hundreds
# of measures reads thousands of them).
SHOWN_OF_A_VALUE = (
    MeasureValue.measure_id,
    MeasureValue.period,
    MeasureValue.value,
    MeasureValue.note,
    MeasureValue.reason,
    MeasureValue.corrects_id,
    MeasureValue.reported_at,
    MeasureValue.reported_by_label,
)


def values_of(ids: list[int], moment: datetime | None) -> dict[int, dict[date, Any]]:
    """Each measure's values in force at a moment (None: now), by period: rows with the
    fields of SHOWN_OF_A_VALUE."""
    found: dict[int, dict[date, Any]] = defaultdict(dict)
    query = select(*SHOWN_OF_A_VALUE).where(MeasureValue.measure_id.in_(ids), in_force_at(moment))
    for row in db.session.execute(query):
        found[row.measure_id][row.period] = row
    return found


def _states_then(ids: list[int], moment: datetime) -> dict[int, tuple[str, str]]:
    """Each record's (status, classification) as its newest version up to the moment said."""
    latest = (
        select(DatasetVersion.dataset_id, func.max(DatasetVersion.version).label("version"))
        .where(DatasetVersion.dataset_id.in_(ids), DatasetVersion.changed_at <= moment)
        .group_by(DatasetVersion.dataset_id)
        .subquery()
    )
    query = select(
        DatasetVersion.dataset_id, DatasetVersion.status, DatasetVersion.classification
    ).join(
        latest,
        (latest.c.dataset_id == DatasetVersion.dataset_id)
        & (latest.c.version == DatasetVersion.version),
    )
    return {dataset_id: (state, level) for dataset_id, state, level in db.session.execute(query)}


def sources_of(
    ids: list[int], reader, day: date, moment: datetime | None = None
) -> tuple[dict[int, list[Source]], dict]:
    """The records each measure rests on that the reader may read (by today's rule), with
    their release status then (a record not yet registered then was not released), and how
    many others."""
    # The links first (by their key), then the records they name (by theirs): a reader's rule
    # never leads the planner to walk the inventory for a handful of records.
    links = db.session.execute(
        select(MeasureSource.measure_id, MeasureSource.dataset_id).where(
            MeasureSource.measure_id.in_(ids)
        )
    ).all()
    totals: dict[int, int] = defaultdict(int)
    named: dict[int, list[int]] = defaultdict(list)
    for measure_id, dataset_id in links:
        totals[measure_id] += 1
        named[dataset_id].append(measure_id)
    records = db.session.execute(
        select(
            Dataset.id,
            Dataset.identifier,
            Dataset.title,
            Dataset.status,
            Dataset.classification,
            Dataset.is_overdue(day),
            Dataset.release_target_date,
        )
        .where(Dataset.id.in_(list(named)), readable_by(reader))
        .order_by(Dataset.title)
    ).all()
    rows = [(measure_id, *record) for record in records for measure_id in named[record[0]]]
    then = _states_then([row[1] for row in rows], moment) if moment is not None else {}
    shown: dict[int, list[Source]] = defaultdict(list)
    for measure_id, dataset_id, identifier, title, state, classification, late, target in rows:
        if moment is not None:  # the same rule (Dataset.is_overdue), on the record then
            state, classification = then.get(dataset_id, ("unregistered", classification))
            late = Dataset(status=state, release_target_date=target).is_overdue(day)
        released = is_released(classification, state)
        shown[measure_id].append(Source(identifier, title, state, released, bool(late)))
    hidden = {key: total - len(shown.get(key, [])) for key, total in totals.items()}
    return shown, hidden


def view_of(measure: Measure, rows: dict[date, Any], day: date) -> MeasureView:
    frequency = measure.frequency
    values = {period: row.value for period, row in rows.items()}
    now_status, now_period = standing(values, frequency, measure.target, measure.direction, day)
    last = max([last_ended(day, frequency), *values])
    first = min(values, default=last)
    span = periods(first, last, frequency)[-TREND:]
    points = [
        Point(
            period,
            period_label(period, frequency),
            period_code(period, frequency),
            values.get(period),
            status(values.get(period), measure.target, measure.direction),
            rows.get(period),
        )
        for period in span
    ]
    latest = next((point for point in reversed(points) if point.value is not None), None)
    return MeasureView(measure, points, now_status, now_period, latest)


DEFINED = ("name", "counts", "unit", "direction", "target", "frequency")


def as_defined(measures: list[Measure], moment: datetime | None) -> list:
    """The measures as their versions in force at a moment defined them (a target since
    raised reads as it was then); their department and priority as they are now. None: the
    measures themselves."""
    if moment is None or not measures:
        return measures
    then = {}
    query = (
        select(MeasureVersion.measure_id, MeasureVersion.snapshot)
        .where(
            MeasureVersion.measure_id.in_([measure.id for measure in measures]),
            MeasureVersion.changed_at <= moment,
        )
        .order_by(MeasureVersion.measure_id, MeasureVersion.version)
    )
    for measure_id, snapshot in db.session.execute(query):
        then[measure_id] = snapshot  # the last one up to the moment
    found = []
    for measure in measures:
        snapshot = then.get(measure.id)
        if snapshot is None:
            found.append(measure)
            continue
        fields = {name: getattr(measure, name) for name in ("id", "priority", "department")}
        fields |= {name: snapshot[name] for name in DEFINED}
        fields["target_date"] = date.fromisoformat(snapshot["target_date"])
        fields |= {"priority_id": measure.priority_id, "department_id": measure.department_id}
        found.append(SimpleNamespace(**fields, version=measure.version))
    return found


def measure_views(measures: list[Measure], reader, day: date, moment: datetime | None):
    ids = [measure.id for measure in measures]
    values = values_of(ids, moment)
    shown, hidden = sources_of(ids, reader, day, moment)
    views = []
    for measure in as_defined(measures, moment):
        view = view_of(measure, values.get(measure.id, {}), day)
        view.sources, view.hidden = shown.get(measure.id, []), hidden.get(measure.id, 0)
        views.append(view)
    return views


def _in_order(query, moment: datetime | None, department_id: int | None = None):
    """A select over measures, to those defined by a moment, in the priorities' order, then
    by name."""
    query = query.join(CityPriority, CityPriority.id == Measure.priority_id).order_by(
        CityPriority.position, CityPriority.name, Measure.name, Measure.id
    )
    if moment is not None:
        query = query.where(Measure.created_at <= moment)
    if department_id is not None:
        query = query.where(Measure.department_id == department_id)
    return query


def measures_query(moment: datetime | None, department_id: int | None = None):
    """The measures defined by a moment, in the priorities' order, then by name (a select, to
    read whole or a page at a time)."""
    loaded = select(Measure).options(joinedload(Measure.priority), joinedload(Measure.department))
    return _in_order(loaded, moment, department_id)


def measures_in_force(moment: datetime | None, department_id: int | None = None):
    """The measures defined by a moment, every one, in the priorities' order, then by name."""
    return list(db.session.scalars(measures_query(moment, department_id)))


def _priorities_shown(page, on_page: set[int], moment: datetime | None) -> list[CityPriority]:
    """The priorities a page of measures shows: those of its measures, and each with none at
    all on the page of the first measure after it in the priorities' order (the last page for
    those after every measure)."""
    priorities = list(
        db.session.scalars(select(CityPriority).order_by(CityPriority.position, CityPriority.name))
    )
    if page is None:
        return priorities
    places = [number for number, priority in enumerate(priorities) if priority.id in on_page]
    if not places:  # no measure at all (every priority says so), or a page past the last
        return priorities if page.page == 1 else []
    number_of = {priority.id: number for number, priority in enumerate(priorities)}
    after = -1  # the place of the previous page's last measure's priority
    if page.page > 1:
        last_before = _in_order(select(Measure.priority_id), moment)
        previous = db.session.scalar(last_before.offset(page.first - 2).limit(1))
        after = number_of[previous]
    upto = places[-1] if page.has_next else len(priorities) - 1
    defined = _in_order(select(Measure.priority_id), moment).distinct().order_by(None)
    with_measures = set(db.session.scalars(defined))
    return [
        priority
        for number, priority in enumerate(priorities)
        if priority.id in on_page or (after < number <= upto and priority.id not in with_measures)
    ]


def board(reader, day: date, moment: datetime | None, page=None) -> list[tuple[CityPriority, list]]:
    """Each city priority with its measures' views (a priority without measures included):
    every measure, or those of one page of measures_query."""
    measures = list(page) if page is not None else measures_in_force(moment)
    views = measure_views(measures, reader, day, moment)
    grouped = defaultdict(list)
    for view in views:
        grouped[view.measure.priority_id].append(view)
    shown = _priorities_shown(page, set(grouped), moment)
    return [(priority, grouped.get(priority.id, [])) for priority in shown]


@dataclass
class Trend:
    """A trend chart's geometry (an SVG 640 by 240): the lines through reported values (broken
    where a period has none), each point, the target's line and the scale's marks."""

    lines: list[str]
    dots: list[tuple[float, float, Point]]
    target_y: float
    marks: list[tuple[float, str]]
    labels: list[tuple[float, str, str]]  # x, words, text-anchor


LEFT, RIGHT, TOP, BOTTOM = 70.0, 620.0, 20.0, 200.0


def _scale(values: list[float], target: float) -> tuple[float, float]:
    """The chart's lowest and highest values: its values and target with a tenth of their
    range to spare, never below 0 for what cannot be negative."""
    low, high = min([target, *values]), max([target, *values])
    spare = (high - low) * 0.1 or abs(high) * 0.1 or 1.0
    return (max(low - spare, 0.0) if low >= 0 else low - spare), high + spare


def _label_at(index: int, count: int) -> str | None:
    """Where a period's label goes (its text-anchor), for the first, the last and about four
    between that do not crowd the last; None for the rest."""
    every = max(1, count // 4)
    if index == 0:
        return "start"
    if index == count - 1:
        return "end"
    return "middle" if index % every == 0 and index < count - every else None


def trend(view: MeasureView) -> Trend:
    """The chart of a measure's trend, scaled to its values and target."""
    values = [point.value for point in view.points if point.value is not None]
    low, high = _scale(values, view.measure.target)

    def y(value: float) -> float:
        return round(BOTTOM - (value - low) / (high - low) * (BOTTOM - TOP), 1)

    count = len(view.points)
    step = (RIGHT - LEFT) / (count - 1) if count > 1 else 0.0
    lines, current, dots, labels = [], [], [], []
    for index, point in enumerate(view.points):
        x = round(LEFT + index * step, 1) if count > 1 else (LEFT + RIGHT) / 2
        if point.value is None:
            lines += [" ".join(current)] if len(current) > 1 else []
            current = []
        else:
            current.append(f"{x},{y(point.value)}")
            dots.append((x, y(point.value), point))
        anchor = _label_at(index, count)
        if anchor:
            labels.append((x, short_label(point.period, view.measure.frequency), anchor))
    lines += [" ".join(current)] if len(current) > 1 else []
    marks = [(y(value), written(round(value, 1))) for value in (low, (low + high) / 2, high)]
    return Trend(lines, dots, y(view.measure.target), marks, labels)
