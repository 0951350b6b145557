"""One row of an inventory at a time, for transfer.imports.run_import: its cells read into a
record's fields (each problem by field), what a record does not need set aside and noted, a
repeat of a registered record skipped, updating it or registered anyway, and the row written: a
new record joins the batch being registered, an update is applied in a savepoint of its own."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from marshmallow import ValidationError

from registry.accounts.services import active_users_with_role
from registry.datasets.creation import Lookups
from registry.errors import Conflict, NotFound, PermissionDenied
from registry.extensions import db
from registry.permissions import Role
from registry.transfer.columns import BY_FIELD
from registry.transfer.datajson import PORTAL_IDENTIFIER
from registry.transfer.departments import (
    department_code,
    known_departments,
)
from registry.transfer.duplicates import Duplicates
from registry.transfer.headers import NORMALISERS, Matching
from registry.transfer.lenient import CRITICAL, extras_of, plain, text_of
from registry.transfer.mapping import Choices
from registry.transfer.rows import (
    Pending,
    Report,
    RowProblem,
    existing_record,
    invalid_row,
    new_record,
    refusals,
    repeats_of,
    update_record,
)
from registry.transfer.workbooks import Table, UncomputedFormula

# Fields the importer reads (the rest are the registry's own: status, dates it sets).
IMPORTED = {name for name, column in BY_FIELD.items() if column.importable}


@dataclass
class Rows:
    """What every row of one import is read against."""

    table: Table
    report: Report
    pending: Pending
    known: dict  # the departments the registry knows (transfer.departments)
    lookups: Lookups
    actor: Any
    department: str | None
    choices: Choices
    unclassified: str | None

    def take(self, number: int, cells, chosen) -> None:
        """The row numbered `number`; a repeat of a registered record is handled as `chosen`
        says (a Duplicates)."""
        table, report, matching = self.table, self.report, self.report.matching
        raw, problems = record_of(table, matching, cells, self.department, self.known, self.choices)
        if self.unclassified and "classification" not in raw and "classification" not in problems:
            raw["classification"] = self.unclassified
            report.classified += 1
        extras, notes = extras_of(matching, cells), []
        _set_aside(matching, cells, problems, extras, notes)
        for name, message in problems.items():
            report.problems.append(
                RowProblem(table.sheet, number, matching.header_of(name), message)
            )
        if problems:
            return
        known_records = self.pending.known
        raw = _unrepeated(report, number, raw, extras, known_records, chosen, self.actor)
        if raw is None:
            return
        existing = existing_record(raw, self.actor)
        if existing is not None:
            self.pending.flush()  # in file order: a row may update a record an earlier made
            _update_row(report, table, number, existing, raw, extras, actor=self.actor)
            return
        try:
            record = new_record(raw, self.actor, extras, notes, matching, self.lookups)
            self.pending.add(number, record, extras)
        except ValidationError as exc:
            report.problems.extend(invalid_row(exc, table.sheet, number, matching))
            return
        known_records.add(record, raw["department"], raw.get("title", ""), extras)


# Turning cells into records -------------------------------------------------------------------


def cell_value(field_name: str, cell: Any) -> Any:
    """A cell as the API takes the field: spreadsheet dates and numbers as such, lists and
    JSON as the export writes them, words for codes where a city's sheet uses words."""
    if isinstance(cell, UncomputedFormula):
        raise ValueError(
            f"This cell holds a formula ({cell[:60]}) with no value saved: type the value "
            "itself, or open the file in a spreadsheet program and save it again."
        )
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, date):  # a moment too: its day
        return plain(cell)
    cell = plain(cell)
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
    table: Table,
    matching: Matching,
    cells: list[Any],
    department: str | None,
    known=None,
    choices: Choices | None = None,
):
    """One row as (the raw record the services take, the problems found reading it). `known`
    is _departments(), read once per file; `choices` map values the person chose for."""
    codes, names = known or known_departments()
    raw: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for position, name in matching.fields.items():
        if name not in IMPORTED or position >= len(cells):
            continue
        try:
            value = cell_value(name, _chosen(cells[position], name, choices))
        except ValueError as exc:
            problems[name] = str(exc)
            continue
        if value is not None and value != []:
            raw[name] = value
    if department:
        raw["department"] = department
    elif "department" in raw:
        _place(raw, problems, codes, names)
    if isinstance(raw.get("steward"), str):
        raw["steward"] = _steward_email(raw["steward"], raw.get("department"))
    if "title" not in matching.fields.values() and isinstance(raw.get("description"), str):
        # San Diego's inventory names each dataset in its "Description" column.
        raw["title"] = raw["description"][:300]
    return raw, problems


def _chosen(cell: Any, name: str, choices: Choices | None) -> Any:
    """The cell, or the value the person chose for what it says ("" for nothing)."""
    mapped = choices.value_of(name, str(cell)) if choices and choices.values else None
    if mapped is not None:
        return mapped or None
    return cell


def _place(raw: dict[str, Any], problems: dict[str, str], codes, names) -> None:
    """The row's department as the registry codes it ("Department of Transportation (DOT)"
    is DOT), or the problem that none is."""
    code = department_code(raw["department"], codes, names)
    if code is None:
        problems["department"] = (
            f"There is no department with the code or name “{raw['department']}”."
        )
    else:
        raw["department"] = code


# Applying ----------------------------------------------------------------------------------


def _set_aside(matching: Matching, cells, problems: dict, extras: dict, notes: list) -> None:
    """A value a record does not need that cannot be read is kept as written, under its
    header, and the steward told; only CRITICAL fields refuse the row."""
    for name in [name for name in problems if name not in CRITICAL]:
        header = matching.header_of(name)
        position = next(p for p, field in matching.fields.items() if field == name)
        extras[header[:200]] = text_of(cells[position])[:5000]
        notes.append(f"{header}: “{text_of(cells[position])[:200]}” was not read.")
        del problems[name]


def _unrepeated(report: Report, number: int, raw, extras, known_records, chosen, actor):
    """The row as it is to be written, or None when it repeats a record and is skipped: a
    repeat updates the record it repeats (UPDATE), or is registered anyway (CREATE)."""
    repeats = repeats_of(raw, extras, known_records, actor)
    if not repeats:
        return raw
    report.repeated.append((number, repeats, str(raw.get("title", ""))[:200]))
    chosen = Duplicates(chosen)
    if chosen == Duplicates.UPDATE and isinstance(repeats, str):
        # The record it repeats takes the row's values, from the version it has now.
        matched = existing_record({"identifier": repeats}, actor)
        raw = {**raw, "identifier": repeats, "version": getattr(matched, "version", None)}
    elif chosen != Duplicates.CREATE or raw.get("identifier"):
        # A row naming a registered record's own identifier cannot be another record; one
        # repeating an earlier row of the file is that row's record.
        report.skipped.append((number, repeats))
        return None
    portal = extras.get(PORTAL_IDENTIFIER)
    if portal and known_records.holds(PORTAL_IDENTIFIER, portal):
        # Created anyway: one record only answers to a portal identifier in data.json.
        extras[f"{PORTAL_IDENTIFIER} (repeated)"] = extras.pop(PORTAL_IDENTIFIER)
    return raw


def _update_row(report: Report, table: Table, number: int, existing, raw, extras, *, actor):
    """A row that updates a registered record, in a savepoint of its own: refused, it leaves
    nothing and says why."""
    matching = report.matching
    row = db.session.begin_nested()
    try:
        outcome = update_record(
            existing, raw, actor, extras, {n: matching.header_of(n) for n in raw}
        )
    except ValidationError as exc:
        row.rollback()
        report.problems.extend(invalid_row(exc, table.sheet, number, matching))
        return
    except (Conflict, PermissionDenied, NotFound) as exc:
        row.rollback()
        report.problems.extend(refusals(exc, table.sheet, number, matching))
        return
    row.commit()
    getattr(report, outcome).append(existing.identifier)
