"""Spreadsheets back in: the XLSX export's Inventory sheet, a CSV with its headers, or the
inventory a department already keeps, validated row by row through the same services as the API.

If any row is invalid nothing changes, and the report names every problem by sheet, row and
column header; otherwise the whole file is one transaction, each record's change audited by its
service and the import itself by one event. A dry run does all of it and then rolls back.
"""

from sqlalchemy import select

from registry.accounts.models import Department
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.creation import Lookups
from registry.datasets.themes import add_theme, city_themes
from registry.datasets.visibility import in_department
from registry.datasets.vocab import Classification
from registry.errors import DomainError, PermissionDenied
from registry.extensions import db
from registry.permissions import Permission, Role, has_permission
from registry.transfer.departments import (
    create_missing,
    known_departments,
    missing_departments,
)
from registry.transfer.duplicates import Duplicates, Known
from registry.transfer.headers import match_headers
from registry.transfer.import_rows import Rows, cell_value
from registry.transfer.mapping import Choices, unknown_values
from registry.transfer.released import check_may_record_releases
from registry.transfer.rows import (
    Pending,
    Report,
    RowProblem,
)
from registry.transfer.workbooks import Table


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
    known, skipped = _departments(report, table, department, create_departments, actor=actor)
    _themes(report, table, create_themes, actor=actor, digest=digest)
    known_records = Known()
    pending = Pending(
        report,
        known_records,
        actor=actor,
        as_published=as_published,
        digest=digest,
        progress=progress,
        choices=choices,
    )
    rows = Rows(
        table, report, pending, known, Lookups(actor), actor, department, choices, unclassified
    )
    for number, cells in table.rows:
        report.done += 1
        if number not in skipped:
            rows.take(number, cells, (row_choices or {}).get(number, duplicates))
    pending.flush()
    report.skipped = [(n, getattr(r, "identifier", r)) for n, r in report.skipped]
    report.repeated = [(n, getattr(r, "identifier", r), t) for n, r, t in report.repeated]
    if report.problems or dry_run:
        outer.rollback()
        return report
    outer.commit()
    _record_import(report, table, department, unclassified, actor=actor, digest=digest)
    return report


def _departments(report: Report, table: Table, department, create: bool, *, actor):
    """The departments the registry knows (with those the file names that it lacks, when
    `create`), and the rows naming one it lacks, each department listed once as a problem."""
    matching = report.matching
    known = known_departments()
    named_elsewhere = _unknown_departments(table, matching, department, known)
    if named_elsewhere and create:
        report.departments_created = create_missing(named_elsewhere, actor=actor)
        known, named_elsewhere = known_departments(), {}
    header = matching.header_of("department")
    for text, numbers in named_elsewhere.items():
        report.problems.append(RowProblem(table.sheet, numbers[0], header, _lacking(text, numbers)))
    return known, {number for numbers in named_elsewhere.values() for number in numbers}


def _record_import(report: Report, table: Table, department, unclassified, *, actor, digest):
    """The import as one audit event: what it did, from which file."""
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
        for name in _themes_named(cells, position):
            if 2 <= len(name) <= 100 and name.lower() not in known:
                missing.setdefault(name.lower(), (name, []))[1].append(number)
    if missing and create:
        for name, _ in missing.values():
            add_theme({"name": name}, actor=actor, source=f"import {digest}")
        report.themes_created = [name for name, _ in missing.values()]
    else:
        report.themes_missing = dict(missing.values())


def _themes_named(cells: list, position: int) -> list[str]:
    """The themes a row's cell names (none when it cannot be read: the row says so itself)."""
    try:
        named = cell_value("themes", cells[position]) if position < len(cells) else None
    except ValueError:
        return []
    return [str(name).strip() for name in (named if isinstance(named, list) else [named]) if name]


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
