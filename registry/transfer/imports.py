"""Spreadsheets back in: the XLSX export's Inventory sheet, a CSV with its headers, or the
inventory a department already keeps, validated row by row through the same services as the API.

If any row is invalid nothing changes, and the report names every problem by sheet, row and
column header; otherwise the whole file is one transaction, each record's change audited by its
service and the import itself by one event. A dry run does all of it and then rolls back.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from registry.accounts.models import Department
from registry.accounts.services import active_users_with_role
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets import services as datasets
from registry.datasets.models import Dataset
from registry.datasets.permissions import can_edit_dataset
from registry.datasets.visibility import in_department, readable_by, reads_everything
from registry.errors import Conflict, DomainError, NotFound, PermissionDenied
from registry.extensions import db
from registry.labels import field_label
from registry.permissions import Role
from registry.transfer.columns import BY_FIELD
from registry.transfer.departments import (
    create_missing,
    department_code,
    known_departments,
    missing_departments,
)
from registry.transfer.duplicates import Duplicates, Known
from registry.transfer.headers import NORMALISERS, Matching, match_headers
from registry.transfer.lenient import CRITICAL, create_from_row, extras_of, text_of
from registry.transfer.released import check_may_record_releases, keep_released
from registry.transfer.workbooks import Table

UNKNOWN_IDENTIFIER = (
    "No record you may edit has this identifier. Leave the cell empty to register the row as a "
    "new record."
)
IDENTIFIER = re.compile(r"^[a-z][a-z0-9]{0,15}-[a-z0-9]{3,40}$")
# Fields the importer reads (the rest are the registry's own: status, dates it sets).
IMPORTED = {name for name, column in BY_FIELD.items() if column.importable}


@dataclass
class RowProblem:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}, row {self.row}" + (
            f", column “{self.column}”" if self.column else ""
        )
        return f"{where}: {self.message}"


@dataclass
class Report:
    matching: Matching
    sheet: str
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    dry_run: bool = True
    departments_created: dict[str, str] = field(default_factory=dict)  # as named -> code
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, the record it repeats)
    released: list[str] = field(default_factory=list)  # recorded as released before the registry
    not_released: list[tuple[int, str]] = field(default_factory=list)  # (row, why not)

    @property
    def ok(self) -> bool:
        return not self.problems


# Reading the file ---------------------------------------------------------------------------


# Turning cells into records -------------------------------------------------------------------


def _cell_value(field_name: str, cell: Any) -> Any:
    """A cell as the API takes the field: spreadsheet dates and numbers as such, lists and
    JSON as the export writes them, words for codes where a city's sheet uses words."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, datetime):
        cell = cell.date()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, str):
        cell = cell.strip()
    column = BY_FIELD[field_name]
    value = column.read(cell if not isinstance(cell, int) or column.kind == "number" else str(cell))
    if field_name in NORMALISERS and isinstance(value, str):
        value = NORMALISERS[field_name](value)
    return value


def _steward_email(value: str, department: str | None) -> str:
    """A steward by email, or by their name when one steward of the department has it."""
    if "@" in value:
        return value
    matches = [
        user
        for user in active_users_with_role(Role.STEWARD)
        if user.name.lower() == value.lower()
        and (department is None or department in user.department_codes)
    ]
    return matches[0].email if len(matches) == 1 else value


def record_of(
    table: Table, matching: Matching, cells: list[Any], department: str | None, known=None
):
    """One row as (the raw record the services take, the problems found reading it). `known`
    is _departments(), read once per file."""
    codes, names = known or known_departments()
    raw: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for position, name in matching.fields.items():
        if name not in IMPORTED or position >= len(cells):
            continue
        try:
            value = _cell_value(name, cells[position])
        except ValueError as exc:
            problems[name] = str(exc)
            continue
        if value is not None and value != []:
            raw[name] = value
    if department:
        raw["department"] = department
    elif "department" in raw:
        code = department_code(raw["department"], codes, names)
        if code is None:
            problems["department"] = (
                f"There is no department with the code or name “{raw['department']}”."
            )
        else:
            raw["department"] = code
    if isinstance(raw.get("steward"), str):
        raw["steward"] = _steward_email(raw["steward"], raw.get("department"))
    if "title" not in matching.fields.values() and isinstance(raw.get("description"), str):
        # San Diego's inventory names each dataset in its "Description" column.
        raw["title"] = raw["description"][:300]
    return raw, problems


# Applying ----------------------------------------------------------------------------------


def _problems(exc: ValidationError) -> dict[str, str]:
    messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
    flat = {}
    for name, value in messages.items():
        text = value if isinstance(value, str) else "; ".join(_flatten(value))
        flat[str(name)] = text
    return flat


def _flatten(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [f"{key}: {line}" for key, inner in value.items() for line in _flatten(inner)]
    if isinstance(value, list):
        return [line for item in value for line in _flatten(item)]
    return [str(value)]


def _apply_row(
    raw: dict[str, Any], actor, extras: dict[str, str], notes: list[str], matching: Matching
) -> tuple[str, str]:
    """Creates or updates one record; returns (what happened, its identifier). A new record
    keeps the row's other columns and is read leniently (transfer.lenient)."""
    identifier = raw.pop("identifier", None)
    version = raw.pop("version", None)
    existing = None
    if identifier:
        existing = db.session.scalar(
            select(Dataset).where(Dataset.identifier == identifier, readable_by(actor))
        )
    if existing is None:
        if identifier and not IDENTIFIER.match(str(identifier)):
            raise ValidationError({"identifier": ["Use an identifier such as pw-4f7k2m."]})
        if identifier and not reads_everything(actor):
            # One answer for an identifier that is unknown and one that names a record the
            # importer may not read: which of the two it is would itself be a disclosure.
            raise ValidationError({"identifier": [UNKNOWN_IDENTIFIER]})
        headers = {name: matching.header_of(name) for name in matching.fields.values()}
        created = create_from_row(
            raw, extras, actor=actor, identifier=identifier or None, headers=headers, notes=notes
        )
        return "created", created.identifier
    if not can_edit_dataset(actor, existing):
        raise ValidationError({"identifier": [UNKNOWN_IDENTIFIER]})
    if version is None:
        raise ValidationError(
            {"version": ["Give the version this row was exported at, so no change is lost."]}
        )
    before = existing.version
    datasets.update_dataset(existing, raw, actor=actor, expected_version=int(version))
    return ("updated" if existing.version != before else "unchanged"), existing.identifier


def _refusals(exc: DomainError, sheet: str, number: int, matching: Matching) -> list[RowProblem]:
    """A refused row's problems: a clash with a colleague's later change by each field (the
    file's value and the one saved since), anything else by the identifier."""
    clashes = exc.details.get("fields") or {}
    if not clashes:
        return [RowProblem(sheet, number, matching.header_of("identifier"), exc.message)]
    return [
        RowProblem(
            sheet,
            number,
            matching.header_of(name),
            f"Changed by someone else since this row was exported (now “{values['theirs']}”, "
            f"the file says “{values['yours']}”). Export again, or set the cell to the value "
            "to keep.",
        )
        for name, values in clashes.items()
    ]


def _unknown_departments(table, matching, department, known) -> dict[str, list[int]]:
    if department is not None or "department" not in matching.fields.values():
        return {}
    position = next(p for p, name in matching.fields.items() if name == "department")
    return missing_departments(
        (
            (number, cells[position] if position < len(cells) else None)
            for number, cells in table.rows
        ),
        known,
    )


def _repeats(raw: dict[str, Any], extras: dict[str, str], known: Known, actor) -> str | None:
    """The record a row repeats: one it names by identifier without the version an update
    starts from (a catalog read again), or one found by its identifiers elsewhere or its
    department and title."""
    identifier = raw.get("identifier")
    if not identifier:
        return known.match(raw, extras)
    if raw.get("version") is not None:
        return None
    query = select(Dataset.identifier).where(Dataset.identifier == identifier, readable_by(actor))
    return db.session.scalar(query)


def _keep_released(report: Report, number: int, identifier: str, extras, actor, digest) -> None:
    record = db.session.scalar(select(Dataset).where(Dataset.identifier == identifier))
    why_not = keep_released(record, extras, actor=actor, source=f"import {digest}")
    if why_not == "":
        report.released.append(identifier)
    elif why_not:
        report.not_released.append((number, why_not))


def _lacking(text: str, numbers: list[int]) -> str:
    rows = ", ".join(str(number) for number in numbers[:5])
    more = f" and {len(numbers) - 5:,} more" if len(numbers) > 5 else ""
    return (
        f"The registry has no department “{text}” (rows {rows}{more}). A coordinator can add "
        "it in this import: tick “Add the departments this file names” (or give "
        "--create-departments), or correct the name."
    )


def run_import(
    table: Table,
    *,
    actor,
    department: str | None = None,
    dry_run: bool,
    digest: str,
    create_departments: bool = False,
    duplicates: Duplicates = Duplicates.SKIP,
    choices: dict[str, str] | None = None,
    as_published: bool = False,
) -> Report:
    """Validates and applies every row inside one savepoint; keeps it only if every row is
    valid and this is not a dry run. The caller commits. Departments the file names that the
    registry lacks are listed once each, or created first when `create_departments`."""
    if as_published:
        check_may_record_releases(actor)
    matching = match_headers(table.headers, choices)
    report = Report(matching, table.sheet, rows=len(table.rows), dry_run=dry_run)
    if not {"title", "description"} & set(matching.fields.values()):
        report.problems.append(
            RowProblem(
                table.sheet,
                1,
                "",
                "No column holds the title (for example “Title” or “Dataset Name”).",
            )
        )
        return report
    _lock_departments(department)
    outer = db.session.begin_nested()
    known = known_departments()
    named_elsewhere = _unknown_departments(table, matching, department, known)
    if named_elsewhere and create_departments:
        report.departments_created = create_missing(named_elsewhere, actor=actor)
        known, named_elsewhere = known_departments(), {}
    header = matching.header_of("department")
    for text, numbers in named_elsewhere.items():
        report.problems.append(RowProblem(table.sheet, numbers[0], header, _lacking(text, numbers)))
    skipped = {number for numbers in named_elsewhere.values() for number in numbers}
    known_records = Known()
    for number, cells in table.rows:
        if number in skipped:
            continue
        raw, problems = record_of(table, matching, cells, department, known)
        extras, notes = extras_of(matching, cells), []
        for name in [name for name in problems if name not in CRITICAL]:
            header = matching.header_of(name)  # kept as written, and the steward told
            position = next(p for p, field in matching.fields.items() if field == name)
            extras[header[:200]] = text_of(cells[position])[:5000]
            notes.append(f"{header}: “{text_of(cells[position])[:200]}” was not read.")
            del problems[name]
        for name, message in problems.items():
            report.problems.append(
                RowProblem(table.sheet, number, matching.header_of(name), message)
            )
        if problems:
            continue
        repeats = _repeats(raw, extras, known_records, actor)
        if repeats and duplicates == Duplicates.SKIP:
            report.skipped.append((number, repeats))
            continue
        row = db.session.begin_nested()
        try:
            outcome, identifier = _apply_row(raw, actor, extras, notes, matching)
        except ValidationError as exc:
            row.rollback()
            for name, message in _problems(exc).items():
                header = "" if name == "_schema" else matching.header_of(name)
                if header == name and name != "_schema":
                    header = field_label(name)
                report.problems.append(RowProblem(table.sheet, number, header, message))
            continue
        except (Conflict, PermissionDenied, NotFound) as exc:
            row.rollback()
            report.problems.extend(_refusals(exc, table.sheet, number, matching))
            continue
        row.commit()
        getattr(report, outcome).append(identifier)
        if outcome == "created":
            known_records.add(identifier, raw["department"], raw.get("title", ""), extras)
            if as_published:
                _keep_released(report, number, identifier, extras, actor, digest)
    if report.problems or dry_run:
        outer.rollback()
        return report
    outer.commit()
    record_event(
        Tag.IMPORT,
        actor=actor,
        subject_type="department" if department else None,
        subject_id=department,
        details={
            "sheet": table.sheet,
            "rows": report.rows,
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": len(report.unchanged),
            "skipped": len(report.skipped),
            "released_before_registry": len(report.released),
            "departments_created": sorted(report.departments_created.values()),
            "sha256": digest,
        },
    )
    return report


def _lock_departments(department: str | None) -> None:
    """Two imports into one department never interleave: each holds its department's row
    until it commits (on SQLite a writer holds the whole database anyway)."""
    query = select(Department.id).with_for_update()
    if department:
        query = query.where(Department.code == department)
    db.session.execute(query).all()


def check_can_import(actor, department: str | None) -> None:
    """Stewards import into their own department, coordinators into any."""
    if actor is None or not (Role.COORDINATOR in actor.role_set or Role.STEWARD in actor.role_set):
        raise PermissionDenied("Only coordinators and data stewards import inventories.")
    if Role.COORDINATOR in actor.role_set:
        return
    if department is None:
        raise PermissionDenied("Choose your department: stewards import into their own.")
    code_id = db.session.scalar(select(Department.id).where(Department.code == department))
    if code_id is None or not in_department(actor, code_id):
        raise PermissionDenied("You can import only into your own department.")
