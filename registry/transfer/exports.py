"""Exports of the inventory: a scope, optionally one department, optionally as of the end of a
day in the city's time zone, as XLSX, CSV or DCAT-US data.json.

Each export is written once to a temporary file (in memory while small), so that its SHA-256 is
known before anyone receives it: the audit event and the response's headers carry it, and an
auditor can prove a file is what the registry produced. Rows stream from the database in
batches and the writers stream too, so memory stays flat however large the inventory.
"""

import hashlib
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby, islice
from typing import IO, Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select, true

from registry.accounts.models import Department, User
from registry.audit.checkpoints import current_head
from registry.datasets.models import Dataset
from registry.datasets.queries import (
    SCOPE_DESCRIPTIONS,
    Scope,
    check_scope,
    department_id_of,
    records,
    scope_condition,
)
from registry.db import utcnow, utctoday
from registry.extensions import db
from registry.portal.history import Timeliness
from registry.transfer import datajson, dcat3, spreadsheets
from registry.transfer.columns import HEADERS
from registry.transfer.rendered import (
    NOT_JUDGED,
    Batch,
    current_batches,
    line_of,
    render,
    staff,
)

FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "datajson": ("application/json", "json"),
    "dcat3": ("application/ld+json", "jsonld"),
}
# The public catalog's formats (DCAT-US v1.1 data.json, DCAT-US 3.0 JSON-LD): public scope only.
CATALOG_FORMATS = ("datajson", "dcat3")
CATALOG_ONLY_PUBLIC = "The catalog is what the public may read: export it with the public scope."
SPOOL_BYTES = 8 * 1024 * 1024


def city_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("TIMEZONE") or "UTC")


def end_of_day(day: date) -> datetime:
    """The last moment of a day in the city's time zone, in UTC: "as of 2025-06-30" is the
    inventory as it stood when that day ended where the city is."""
    start_of_next = datetime.combine(day + timedelta(days=1), time.min, tzinfo=city_zone())
    return (start_of_next - timedelta(microseconds=1)).astimezone(UTC)


@dataclass(frozen=True)
class ExportRequest:
    format: str
    scope: Scope
    department: str | None = None
    as_of: date | None = None

    @property
    def filename(self) -> str:
        parts = ["inventory", str(self.scope)]
        if self.department:
            parts.append(self.department.lower())
        parts.append((self.as_of or utctoday()).isoformat())
        if self.format == "datajson":
            return "data-" + "-".join(parts[1:]) + ".json"
        if self.format == "dcat3":
            return "catalog-" + "-".join(parts[1:]) + ".jsonld"
        return "-".join(parts) + "." + FORMATS[self.format][1]


@dataclass
class Tally:
    """What the Summary sheet and the audit event say of an export's rows."""

    rows: int = 0
    by_department: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    by_classification: Counter = field(default_factory=Counter)

    def count(self, batch: Batch) -> None:
        self.rows += len(batch.lines)
        self.by_department[batch.department] += len(batch.lines)
        self.by_status.update(line.status for line in batch.lines)
        self.by_classification.update(line.classification for line in batch.lines)


@dataclass
class ExportFile:
    request: ExportRequest
    file: IO[bytes]
    size: int
    sha256: str
    rows: int
    exported_at: datetime
    head: Any

    @property
    def mimetype(self) -> str:
        return FORMATS[self.request.format][0]

    def audit_details(self, actor) -> dict[str, Any]:
        return {
            "format": self.request.format,
            "scope": str(self.request.scope),
            "department": self.request.department,
            "as_of": self.request.as_of.isoformat() if self.request.as_of else None,
            "rows": self.rows,
            "bytes": self.size,
            "sha256": self.sha256,
            "audit_head": self.head.seq,
        }


def export_records(request: ExportRequest, reader) -> Iterator[dict[str, Any]]:
    """The records of the export, redacted for the reader, with the steward named by account
    email for people signed in (by name for others, as redact() leaves it)."""
    moment = end_of_day(request.as_of) if request.as_of else None
    emails: dict[int, str] = {}
    if reader is not None and getattr(reader, "is_authenticated", False):
        emails = dict(db.session.execute(select(User.id, User.email)).tuples().all())
    for record in records(request.scope, reader, department=request.department, as_of=moment):
        if emails and record.get("steward_id") in emails:
            record = {**record, "steward": emails[record["steward_id"]]}
        yield record


def export_batches(
    request: ExportRequest, reader, departments: dict[str, str], *, extras: bool = True
) -> Iterator[Batch]:
    """The export's lines for the reader: current ones from the kept renderings where they are
    current, those as of a day rendered from the versions they had then. Without `extras`
    (no additional field is written) the records' additional fields are not read at all.
    Spreadsheets judge each record's timeliness as of the export's day (portal.history)."""
    judge = None
    if request.format not in CATALOG_FORMATS:
        timeliness = Timeliness(request.as_of or utctoday())
        judge = timeliness.of if timeliness.last else None  # no portal showed a change: none
    if request.as_of is None:
        check_scope(request.scope, reader)
        department_id = department_id_of(request.department)
        if request.department and department_id is None:
            return
        yield from current_batches(
            request.scope,
            reader,
            departments,
            fmt=request.format,
            department_id=department_id,
            extras=extras,
            judge=judge,
        )
        return
    records = export_records(request, reader)
    for code, group in groupby(records, key=lambda record: record["department"]):
        while chunk := list(islice(group, 1000)):  # a large department in bounded batches
            lines = [
                line_of(
                    record.get("steward"),
                    record.get("version"),
                    record["status"],
                    record["classification"],
                    render(record, departments),
                    record.get("additional_fields") if staff(reader) else None,
                    NOT_JUDGED
                    if judge is None
                    else judge(
                        record["identifier"],
                        record.get("update_frequency"),
                        record["classification"],
                        record["status"],
                    ),
                )
                for record in chunk
            ]
            yield Batch(code, lines)


class _Hashing:
    """A binary file that hashes and counts what is written to it."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.target.write(data)

    def flush(self) -> None:
        self.target.flush()

    # zipfile asks a stream these; a hashing stream cannot seek back, so it never claims to.
    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.size


def department_names() -> dict[str, str]:
    return dict(db.session.execute(select(Department.code, Department.name)).tuples().all())


def department_emails() -> dict[str, str]:
    """Each department's data contact address, by its name (a catalog's publisher)."""
    query = select(Department.name, Department.contact_email).where(
        Department.contact_email.is_not(None)
    )
    return dict(db.session.execute(query).tuples().all())


# A city's own columns written back after the registry's, at most this many (the most used).
MAX_ADDITIONAL = 300


def additional_headers(request: ExportRequest, reader) -> list[str]:
    """The headers of the additional fields the records in scope have, in alphabetical order,
    for staff; none for the public (redact() shows them to staff only)."""
    if not staff(reader):
        return []
    if db.engine.dialect.name == "postgresql":
        key = func.json_object_keys(Dataset.additional_fields)
        query = select(key.label("key"))
    else:
        each = func.json_each(Dataset.additional_fields).table_valued("key")
        query = select(each.c.key.label("key")).select_from(Dataset).join(each, true())
    query = query.where(scope_condition(request.scope, reader))
    if request.department:
        query = query.where(Dataset.department_id == department_id_of(request.department))
    keys = query.subquery()
    counted = (
        select(keys.c.key)
        .group_by(keys.c.key)
        .order_by(func.count().desc(), keys.c.key)
        .limit(MAX_ADDITIONAL)
    )
    headers = set(db.session.scalars(counted))
    return sorted(headers - set(HEADERS), key=str.lower)


def rows_expected(request: ExportRequest, reader) -> int:
    """About how many rows the export will write (the records in scope today; one as of a
    day may differ), for a progress bar's time left."""
    query = select(func.count(Dataset.id)).where(scope_condition(request.scope, reader))
    if request.department:
        query = query.where(Dataset.department_id == department_id_of(request.department))
    return db.session.scalar(query) or 0


def _counted(batches: Iterator[Batch], tally: Tally, progress) -> Iterator[Batch]:
    for batch in batches:
        yield batch
        progress(tally.rows)


def produce(
    request: ExportRequest,
    reader,
    *,
    base_url: str | None = None,
    target: IO[bytes] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportFile:
    """Writes the export (checking the scope first: a forbidden scope is refused, never
    narrowed) and returns it with its digest; the caller audits and delivers it. It is
    written to `target` if given (a background job's file), to a temporary file otherwise;
    `progress` hears the count of rows written after each batch."""
    check_scope(request.scope, reader)
    if request.format in CATALOG_FORMATS and request.scope != Scope.PUBLIC:
        raise ValueError(CATALOG_ONLY_PUBLIC)
    spool = target or tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
    sink = _Hashing(spool)
    head, exported_at = current_head(), utcnow()
    tally = Tally()
    departments = department_names()
    additional = [] if request.format in CATALOG_FORMATS else additional_headers(request, reader)
    rows = export_batches(request, reader, departments, extras=bool(additional))
    if progress is not None:
        rows = _counted(rows, tally, progress)
    context = {
        "request": request,
        "reader": reader,
        "exported_at": exported_at,
        "head": head,
        "scope_description": SCOPE_DESCRIPTIONS[request.scope],
        "city": current_app.config.get("CITY_NAME") or "",
        "base_url": current_app.config.get("BASE_URL") or base_url or "",
        "departments": departments,
        "additional": additional,
    }
    if request.format == "xlsx":
        spreadsheets.write_xlsx(sink, rows, tally, context)
    elif request.format == "csv":
        spreadsheets.write_csv(sink, rows, tally, context["additional"])
    elif request.format == "dcat3":
        context["emails"] = department_emails()
        context["open_data_email"] = current_app.config.get("OPEN_DATA_EMAIL") or None
        dcat3.write_catalog(sink, rows, tally, context)
    else:
        datajson.write_catalog(sink, rows, tally, context)
    spool.flush()
    if target is None:
        spool.seek(0)
    return ExportFile(
        request, spool, sink.size, sink.digest.hexdigest(), tally.rows, exported_at, head
    )
