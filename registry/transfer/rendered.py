"""Export rows rendered once per version of a record and kept, so that an export of a large
inventory writes what it already has instead of shaping every record again.

A record's row (its CSV fields, its Inventory cells and its data.json entry) depends on the
record's version and on how the city names its departments and city priorities; the `stamp`
names the latter (and the rendering itself, RENDERING). An export reads a kept row only
while both match, and renders the record afresh otherwise, so a kept row is never stale, only
missing: keeping them is housekeeping's work (refresh_export_rows), never a condition of a
correct file. What depends on the reader (the steward's email, shown to people signed in, and
the version, shown to those who see everything about the record) is never kept: it is filled
in for each row as it is written, and the scope's filter is applied to the records themselves.
Both paths compose a line from the same rendered parts, so a file is byte for byte the same
whether its rows were kept or rendered then.
"""

import csv
import hashlib
import inspect
import io
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import and_, null, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from registry.accounts.models import Department, User
from registry.cells import for_csv
from registry.datasets.models import Dataset
from registry.datasets.queries import Scope, current_snapshots, scope_condition
from registry.datasets.visibility import sees_everything_about
from registry.extensions import db
from registry.performance.models import CityPriority
from registry.transfer import columns, datajson
from registry.transfer.columns import COLUMNS, HEADERS, row_of
from registry.transfer.models import ExportRow

# The rendering itself: a digest of the code that shapes a row (the columns, the data.json
# entry and this module), so that any change to it makes every kept row stale without anyone
# having to remember to say so.
RENDERING = hashlib.sha256(
    "".join(
        inspect.getsource(module) for module in (columns, datajson, sys.modules[__name__])
    ).encode()
).hexdigest()
FIELDS = [column.field for column in COLUMNS]
STEWARD, VERSION = FIELDS.index("steward"), FIELDS.index("version")
# What the export's day says of the record (portal.history.Timeliness): never kept.
ON_TIME, DAYS_LATE = FIELDS.index("on_time"), FIELDS.index("days_late")
DATES = [number for number, column in enumerate(COLUMNS) if column.kind == "date"]


class Rendered(NamedTuple):
    csv_head: str  # the CSV fields before the steward's
    csv_tail: str  # those between the steward's and the version's
    cells: str  # the Inventory row as a JSON list, steward and version empty, dates as text
    entry: str  # the data.json entry as JSON, without its time period
    temporal: str | None  # the time period as the record has it


class Line(NamedTuple):
    """A line of an export for one reader (a state's inventory is hundreds of thousands of
    them, so a tuple): the steward and the version as the reader sees them, the status and
    classification the Summary counts, the five rendered parts, the record's additional
    fields (its own inventory's columns) for staff, None for others, then whether it is
    updated on time and how many days late, as of the export's day (None: not judged)."""

    steward: str | None
    version: int | None
    status: str
    classification: str
    csv_head: str
    csv_tail: str
    cells: str
    entry: str
    temporal: str | None
    extras: dict[str, str] | None
    on_time: bool | None = None
    days_late: int | None = None


@dataclass(slots=True)
class Batch:
    """Consecutive lines of one department's records."""

    department: str
    lines: list[tuple]


def line_of(
    steward, version, status, classification, rendered: Rendered, extras=None, judged=(None, None)
) -> Line:
    return Line(steward, version, status, classification, *rendered, extras or None, *judged)


NOT_JUDGED = (None, None)  # "On time" and "Days late" where nothing is judged


def staff(reader) -> bool:
    """Whether the reader sees records' additional fields (as redact() has it: people signed
    in, never the public)."""
    return reader is not None and getattr(reader, "is_authenticated", False)


def csv_value(value: Any) -> Any:
    """A value as a CSV cell (transfer.cells.for_csv), dates as ISO text."""
    if value is None or isinstance(value, str):
        return for_csv(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def csv_fields(values: list[Any]) -> str:
    """Fields as the csv module writes them in a row (RFC 4180 quoting), without a line end."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(values)  # quotes fields holding one
    return buffer.getvalue()[:-2]


def csv_field(value: Any) -> str:
    value = csv_value(value)
    return "" if value == "" else csv_fields([value])


CSV_HEADER = csv_fields(HEADERS) + "\r\n"


def _json_default(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def render(record: dict[str, Any], departments: dict[str, str]) -> Rendered:
    """A record's snapshot as its export parts, whoever reads it."""
    row = row_of(record)
    row[STEWARD] = row[VERSION] = row[ON_TIME] = row[DAYS_LATE] = None
    values = [csv_value(value) for value in row]
    entry = datajson.entry_of(record, departments)
    return Rendered(
        csv_fields(values[:STEWARD]),
        csv_fields(values[STEWARD + 1 : VERSION]),
        json.dumps(row, ensure_ascii=False, default=_json_default),
        json.dumps(entry, ensure_ascii=False),
        record.get("temporal") or None,
    )


def cells_of(line: Line) -> list[Any]:
    """The Inventory sheet's row: dates as dates, numbers as numbers."""
    cells = json.loads(line.cells)
    cells[STEWARD], cells[VERSION] = line.steward, line.version
    cells[ON_TIME], cells[DAYS_LATE] = COLUMNS[ON_TIME].write(line.on_time), line.days_late
    for number in DATES:
        if cells[number]:
            cells[number] = date.fromisoformat(cells[number])
    return cells


def stamp() -> str:
    """The city's naming that rows depend on: its name, departments (code, name), city
    priorities (name, order), and the rendering (RENDERING)."""
    departments = db.session.execute(
        select(Department.id, Department.code, Department.name).order_by(Department.id)
    ).all()
    priorities = db.session.execute(
        select(CityPriority.id, CityPriority.name, CityPriority.position).order_by(CityPriority.id)
    ).all()
    city = current_app.config.get("CITY_NAME") or ""  # the publishers' parent in data.json
    text = json.dumps(
        [RENDERING, city, [list(r) for r in departments], [list(r) for r in priorities]]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _kept(current: str):
    """Joins a record to its kept row, if that row is of its version and the city's naming."""
    return and_(
        ExportRow.dataset_id == Dataset.id,
        ExportRow.version == Dataset.version,
        ExportRow.stamp == current,
    )


# The kept parts each format writes; an export reads only those (the rest are read as nulls).
PARTS = {
    "csv": ("csv_head", "csv_tail"),
    "xlsx": ("cells",),
    "datajson": ("entry", "temporal"),
    "dcat3": ("entry", "temporal"),  # written from the v1.1 entry (transfer.dcat3)
}
KEPT = ("csv_head", "csv_tail", "cells", "entry", "temporal")


class _Department:
    """A department's records, for sees_everything_about()'s question."""

    def __init__(self, department_id: int) -> None:
        self.department_id = department_id


def current_batches(
    scope: Scope,
    reader,
    departments: dict[str, str],
    *,
    fmt: str,
    department_id: int | None = None,
    batch: int = 1000,
    extras: bool = True,
    judge=None,
) -> Iterator[Batch]:
    """The current records in scope, by department code and identifier, as lines for the
    reader: kept rows where they are current, the rest rendered as they are read. Rows come
    through the connection as plain values, never objects.

    On SQLite, a department at a time, each read in identifier order straight off its index
    (no sort of the whole inventory); the transaction is one snapshot, so the departments'
    reads agree. On PostgreSQL, whose statements each see their own snapshot, in one statement.
    Additional fields are read only with `extras` for a reader who sees them: decoding every
    record's JSON cost a 100,000-record CSV export about 0.4 s when no record had one. `judge`
    gives each line's timeliness (portal.history.Timeliness.of; none without it).
    """
    extras = extras and staff(reader)
    needed = 5 + KEPT.index(PARTS[fmt][0])
    query = _lines_query(scope, reader, fmt, extras, judged=judge is not None)
    listed = select(Department.id, Department.code).order_by(Department.code)
    if department_id is not None:
        listed = listed.where(Department.id == department_id)
    codes = dict(db.session.execute(listed).tuples().all())
    sees = {held_by: sees_everything_about(reader, _Department(held_by)) for held_by in codes}
    reading = _Reading(_stewards(reader), departments, extras, judge)
    for result in _results(query, codes, department_id, batch):
        for rows in result.partitions(batch):
            fresh = current_snapshots([row[0] for row in rows if row[needed] is None])
            for held_by, group in groupby(rows, key=lambda row: row[10]):
                shown = sees[held_by]
                lines = [
                    reading.kept(row, shown)
                    if row[needed] is not None
                    else reading.fresh(fresh[row[0]], shown)
                    for row in group
                ]
                yield Batch(codes[held_by], lines)


@dataclass(slots=True)
class _Reading:
    """How an export's lines are made for its reader: the stewards as they see them, the
    departments' names, whether additional fields are read, and the day's judgement of each
    record's timeliness (`judge(identifier, frequency, classification, status)`)."""

    steward_of: Any
    departments: dict[str, str]
    extras: bool
    judge: Any

    def kept(self, row, shown: bool) -> Line:
        """A line from a kept row (the columns of _lines_query)."""
        judged = NOT_JUDGED if self.judge is None else self.judge(row[12], row[13], row[4], row[3])
        return Line(
            self.steward_of(row[2]),
            row[1] if shown else None,
            row[3],
            row[4],
            *row[5:10],
            row[11] or None,
            *judged,
        )

    def fresh(self, record: dict[str, Any], shown: bool) -> Line:
        """A line rendered as it is read, everything in it from the record as read then."""
        status, classification = record["status"], record["classification"]
        return line_of(
            self.steward_of(record["steward_id"]),
            record["version"] if shown else None,
            status,
            classification,
            render(record, self.departments),
            record.get("additional_fields") if self.extras else None,
            self._judged(record, classification, status),
        )

    def _judged(self, record: dict[str, Any], classification: str, status: str):
        if self.judge is None:
            return NOT_JUDGED
        return self.judge(
            record["identifier"], record.get("update_frequency"), classification, status
        )


def _lines_query(scope: Scope, reader, fmt: str, extras: bool, *, judged: bool):
    """The columns a line is made of: the record's own, its kept parts for the format (the
    others as nulls), its department, its additional fields with `extras`, and with `judged`
    what judges its timeliness (each column read only when used: every one costs the export
    of a large inventory a tenth of a second or more)."""
    parts = [getattr(ExportRow, name) if name in PARTS[fmt] else null() for name in KEPT]
    return (
        select(
            Dataset.id,
            Dataset.version,
            Dataset.steward_id,
            Dataset.status,
            Dataset.classification,
            *parts,
            Dataset.department_id,
            Dataset.additional_fields if extras else null(),
            Dataset.identifier if judged else null(),
            Dataset.update_frequency if judged else null(),
        )
        .outerjoin(ExportRow, _kept(stamp()))
        .where(scope_condition(scope, reader))
    )


def _results(query, codes: dict[int, str], department_id: int | None, batch: int):
    """The query's rows by department code and identifier: on SQLite a department at a time
    off its index, on PostgreSQL in one statement (see current_batches)."""
    connection = db.session.connection()
    if db.engine.dialect.name == "sqlite":
        for held_by in codes:
            yield connection.execute(
                query.where(Dataset.department_id == held_by).order_by(Dataset.identifier)
            )
        return
    ordered = query.join(Department, Department.id == Dataset.department_id).order_by(
        Department.code, Dataset.identifier
    )
    if department_id is not None:
        ordered = ordered.where(Dataset.department_id == department_id)
    yield connection.execute(ordered.execution_options(yield_per=batch))


def _stewards(reader):
    """How a record's steward is shown to the reader: by account email to people signed in,
    not at all to others (as redact() has it)."""
    if not staff(reader):
        return lambda steward_id: None
    return dict(db.session.execute(select(User.id, User.email)).tuples().all()).get


def _upsert(values: list[dict[str, Any]]) -> None:
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(ExportRow).values(values)
    replaced = {name: statement.excluded[name] for name in values[0] if name != "dataset_id"}
    db.session.execute(
        statement.on_conflict_do_update(index_elements=["dataset_id"], set_=replaced)
    )


def keep_stale(limit: int = 500) -> int:
    """Renders and keeps up to `limit` rows that are missing or stale; returns how many (the
    caller commits). Two processes doing it at once both write a correct row."""
    current = stamp()
    ids = list(
        db.session.scalars(
            select(Dataset.id)
            .outerjoin(ExportRow, _kept(current))
            .where(ExportRow.dataset_id.is_(None))
            .order_by(Dataset.id)
            .limit(limit)
        )
    )
    if not ids:
        return 0
    departments = dict(db.session.execute(select(Department.code, Department.name)).tuples().all())
    values = []
    for dataset_id, record in current_snapshots(ids).items():
        rendered = render(record, departments)
        values.append(
            {
                "dataset_id": dataset_id,
                "version": record["version"],
                "stamp": current,
                "csv_head": rendered.csv_head,
                "csv_tail": rendered.csv_tail,
                "cells": rendered.cells,
                "entry": rendered.entry,
                "temporal": rendered.temporal,
            }
        )
    _upsert(values)
    return len(values)


def refresh_export_rows(budget_seconds: float = 20.0) -> int:
    """Housekeeping: keeps the rows of records changed since they were last kept, a batch per
    transaction so that writers wait at most one batch, for at most `budget_seconds`."""
    started, kept = time.monotonic(), 0
    while time.monotonic() - started < budget_seconds:
        done = keep_stale()
        db.session.commit()
        kept += done
        if not done:
            break
    return kept
