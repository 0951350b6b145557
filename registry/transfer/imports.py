"""Spreadsheets back in: the XLSX export's Inventory sheet, a CSV with its headers, or the
inventory a department already keeps, validated row by row through the same services as the API.

If any row is invalid nothing changes, and the report names every problem by sheet, row and
column header; otherwise the whole file is one transaction, each record's change audited by its
service and the import itself by one event. A dry run does all of it and then rolls back.
"""

from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from registry.accounts.models import Department
from registry.accounts.services import active_users_with_role
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.creation import Lookups
from registry.datasets.themes import add_theme, city_themes
from registry.datasets.visibility import in_department
from registry.datasets.vocab import Classification
from registry.errors import Conflict, DomainError, NotFound, PermissionDenied
from registry.extensions import db
from registry.permissions import Permission, Role, has_permission
from registry.transfer.columns import BY_FIELD
from registry.transfer.datajson import PORTAL_IDENTIFIER
from registry.transfer.departments import (
    create_missing,
    department_code,
    known_departments,
    missing_departments,
)
from registry.transfer.duplicates import Duplicates, Known
from registry.transfer.headers import NORMALISERS, Matching, match_headers
from registry.transfer.lenient import CRITICAL, extras_of, text_of
from registry.transfer.mapping import Choices, unknown_values
from registry.transfer.released import check_may_record_releases
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


# Reading the file ---------------------------------------------------------------------------


# Turning cells into records -------------------------------------------------------------------


def _cell_value(field_name: str, cell: Any) -> Any:
    """A cell as the API takes the field: spreadsheet dates and numbers as such, lists and
    JSON as the export writes them, words for codes where a city's sheet uses words."""
    if isinstance(cell, UncomputedFormula):
        raise ValueError(
            f"This cell holds a formula ({cell[:60]}) with no value saved: type the value "
            "itself, or open the file in a spreadsheet program and save it again."
        )
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
        cell = cells[position]
        mapped = choices.value_of(name, str(cell)) if choices and choices.values else None
        if mapped is not None:  # the person said what this value is ("" for nothing)
            cell = mapped or None
        try:
            value = _cell_value(name, cell)
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
    choices: Choices | None = None,
    as_published: bool = False,
    create_themes: bool = False,
    unclassified: str | None = None,
    row_choices: dict[int, str] | None = None,
    progress=None,
) -> Report:
    """Validates and applies every row inside one savepoint; keeps it only if every row is
    valid and this is not a dry run. The caller commits. Departments the file names that the
    registry lacks are listed once each, or created first when `create_departments`; so are
    the themes it names that the city lacks (`create_themes`). `unclassified` is the level a
    coordinator chose for every row without one (otherwise restricted, to confirm);
    `row_choices` what to do with a repeating row, by its number, where not `duplicates`.
    `progress(done, total)` hears of the rows read as each batch is written."""
    if as_published:
        check_may_record_releases(actor)
    if unclassified:
        check_may_classify(actor, unclassified)
    choices = choices or Choices()
    matching = match_headers(table.headers, choices.columns)
    report = Report(matching, table.sheet, rows=len(table.rows), dry_run=dry_run)
    report.unknown_values = unknown_values(table.rows, matching, choices, status=as_published)
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
    _themes(report, table, create_themes, actor=actor, digest=digest)
    known_records, lookups = Known(), Lookups(actor)
    pending = Pending(
        report,
        known_records,
        actor=actor,
        as_published=as_published,
        digest=digest,
        progress=progress,
        choices=choices,
    )
    for number, cells in table.rows:
        report.done += 1
        if number in skipped:
            continue
        raw, problems = record_of(table, matching, cells, department, known, choices)
        if unclassified and "classification" not in raw and "classification" not in problems:
            raw["classification"] = unclassified
            report.classified += 1
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
        repeats = repeats_of(raw, extras, known_records, actor)
        chosen = duplicates
        if repeats:
            report.repeated.append((number, repeats, str(raw.get("title", ""))[:200]))
            chosen = Duplicates((row_choices or {}).get(number, duplicates))
        if repeats and chosen == Duplicates.UPDATE and isinstance(repeats, str):
            # The record it repeats takes the row's values, from the version it has now.
            matched = existing_record({"identifier": repeats}, actor)
            raw = {**raw, "identifier": repeats, "version": getattr(matched, "version", None)}
        elif repeats and (chosen != Duplicates.CREATE or raw.get("identifier")):
            # A row naming a registered record's own identifier cannot be another record; one
            # repeating an earlier row of the file is that row's record.
            report.skipped.append((number, repeats))
            continue
        portal = extras.get(PORTAL_IDENTIFIER)
        if repeats and portal and known_records.holds(PORTAL_IDENTIFIER, portal):
            # Created anyway: one record only answers to a portal identifier in data.json.
            extras[f"{PORTAL_IDENTIFIER} (repeated)"] = extras.pop(PORTAL_IDENTIFIER)
        existing = existing_record(raw, actor)
        if existing is None:
            try:
                record = new_record(raw, actor, extras, notes, matching, lookups)
                pending.add(number, record, extras)
            except ValidationError as exc:
                report.problems.extend(invalid_row(exc, table.sheet, number, matching))
                continue
            known_records.add(record, raw["department"], raw.get("title", ""), extras)
            continue
        pending.flush()  # in file order: a row may update a record an earlier row created
        row = db.session.begin_nested()
        try:
            outcome = update_record(
                existing, raw, actor, extras, {n: matching.header_of(n) for n in raw}
            )
        except ValidationError as exc:
            row.rollback()
            report.problems.extend(invalid_row(exc, table.sheet, number, matching))
            continue
        except (Conflict, PermissionDenied, NotFound) as exc:
            row.rollback()
            report.problems.extend(refusals(exc, table.sheet, number, matching))
            continue
        row.commit()
        getattr(report, outcome).append(existing.identifier)
    pending.flush()
    report.skipped = [(n, getattr(r, "identifier", r)) for n, r in report.skipped]
    report.repeated = [(n, getattr(r, "identifier", r), t) for n, r, t in report.repeated]
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
            "themes_created": report.themes_created,
            **(
                {"unclassified_rows_classified": report.classified, "as": unclassified}
                if report.classified
                else {}
            ),
            "sha256": digest,
        },
    )
    return report


def check_may_classify(actor, level: str) -> None:
    if not has_permission(actor, Permission.PROGRAM_MANAGE):
        raise PermissionDenied("Only a coordinator chooses one classification for a whole file.")
    if level not in {str(choice) for choice in Classification}:
        raise DomainError(
            f"“{level}” is not a classification: use public, internal, sensitive or restricted."
        )


def _themes(report: Report, table: Table, create: bool, *, actor, digest: str) -> None:
    """The themes the file names that the city lacks, listed once each (report.themes_missing,
    their rows' values kept aside), or added first when `create`."""
    matching = report.matching
    if "themes" not in matching.fields.values():
        return
    position = next(p for p, name in matching.fields.items() if name == "themes")
    known = {name.lower() for name in city_themes()}
    missing: dict[str, tuple[str, list[int]]] = {}
    for number, cells in table.rows:
        try:
            named = _cell_value("themes", cells[position]) if position < len(cells) else None
        except ValueError:
            continue
        for name in named if isinstance(named, list) else [named] if named else []:
            name = str(name).strip()
            if 2 <= len(name) <= 100 and name.lower() not in known:
                missing.setdefault(name.lower(), (name, []))[1].append(number)
    if missing and create:
        for name, _ in missing.values():
            add_theme({"name": name}, actor=actor, source=f"import {digest}")
        report.themes_created = [name for name, _ in missing.values()]
    else:
        report.themes_missing = dict(missing.values())


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
