"""What each row of an import does: a new record is read and checked, then registered with
its batch (Pending); a row naming a registered record updates it in a savepoint of its own; a
refused row says why, by the column that holds the problem."""

import re
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from registry.datasets.creation import Lookups, register_datasets
from registry.datasets.models import Dataset
from registry.datasets.permissions import can_edit_dataset
from registry.datasets.visibility import readable_by, reads_everything
from registry.errors import DomainError
from registry.extensions import db
from registry.labels import field_label
from registry.transfer.duplicates import Known
from registry.transfer.headers import Matching
from registry.transfer.lenient import prepare_from_row, update_from_row
from registry.transfer.released import keep_released

UNKNOWN_IDENTIFIER = (
    "No record you may edit has this identifier. Leave the cell empty to register the row as a "
    "new record."
)
IDENTIFIER = re.compile(r"^[a-z][a-z0-9]{0,15}-[a-z0-9]{3,40}$")


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
    themes_created: list[str] = field(default_factory=list)
    themes_missing: dict[str, list[int]] = field(default_factory=dict)  # as named -> rows
    classified: int = 0  # rows without a classification given the one the coordinator chose
    # Values of enumerated fields the registry cannot read, by field, with their rows' count.
    unknown_values: dict[str, Any] = field(default_factory=dict)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, the record it repeats)
    # Every row repeating a record: (row, the record's identifier, the row's title).
    repeated: list[tuple[int, Any, str]] = field(default_factory=list)
    released: list[str] = field(default_factory=list)  # recorded as released before the registry
    not_released: list[tuple[int, str]] = field(default_factory=list)  # (row, why not)
    done: int = 0  # rows read so far

    @property
    def ok(self) -> bool:
        return not self.problems


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


def existing_record(raw: dict[str, Any], actor) -> Dataset | None:
    """The record a row names by identifier, if the importer may read it."""
    identifier = raw.get("identifier")
    if not identifier:
        return None
    return db.session.scalar(
        select(Dataset).where(Dataset.identifier == identifier, readable_by(actor))
    )


def new_record(raw, actor, extras, notes, matching: Matching, lookups: Lookups) -> Dataset:
    """A new record from the row, read leniently (transfer.lenient), not yet written."""
    identifier = raw.pop("identifier", None)
    raw.pop("version", None)
    if identifier and not IDENTIFIER.match(str(identifier)):
        raise ValidationError({"identifier": ["Use an identifier such as pw-4f7k2m."]})
    if identifier and not reads_everything(actor):
        # One answer for an identifier that is unknown and one that names a record the
        # importer may not read: which of the two it is would itself be a disclosure.
        raise ValidationError({"identifier": [UNKNOWN_IDENTIFIER]})
    headers = {name: matching.header_of(name) for name in matching.fields.values()}
    return prepare_from_row(
        raw, extras, lookups=lookups, identifier=identifier or None, headers=headers, notes=notes
    )


def update_record(existing: Dataset, raw: dict[str, Any], actor, extras=None, headers=None) -> str:
    """Applies the row to the record it names, leniently as a new record is read (a value
    a record does not need that cannot be read is kept aside); returns what happened."""
    raw.pop("identifier", None)
    version = raw.pop("version", None)
    if not can_edit_dataset(actor, existing):
        raise ValidationError({"identifier": [UNKNOWN_IDENTIFIER]})
    if version is None:
        raise ValidationError(
            {"version": ["Give the version this row was exported at, so no change is lost."]}
        )
    if existing.modified is None and raw.get("modified") == existing.updated_at.date().isoformat():
        del raw["modified"]  # the date exports show for a record that gives none: no change
    before = existing.version
    update_from_row(
        existing, raw, dict(extras or {}), actor=actor, headers=headers or {}, version=int(version)
    )
    return "updated" if existing.version != before else "unchanged"


class Pending:
    """New records read and checked, registered a batch at a time (creation.register_datasets):
    a few statements for hundreds of rows, each record still versioned and audited."""

    SIZE = 1000

    def __init__(
        self,
        report: Report,
        known: Known,
        *,
        actor,
        as_published: bool,
        digest: str,
        progress,
        choices=None,
    ):
        self.report, self.known, self.actor, self.digest = report, known, actor, digest
        self.as_published, self.progress, self.choices = as_published, progress, choices
        self.rows: list[tuple[int, Dataset, dict[str, str]]] = []
        self.identifiers: set[str] = set()

    def add(self, number: int, record: Dataset, extras: dict[str, str]) -> None:
        if record.identifier in self.identifiers:
            raise ValidationError({"identifier": ["An earlier row of this file has it."]})
        if record.identifier:
            self.identifiers.add(record.identifier)
        self.rows.append((number, record, extras))
        if len(self.rows) >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        records = [record for _, record, _ in self.rows]
        register_datasets(records, actor=self.actor)
        for number, record, extras in self.rows:
            self.report.created.append(record.identifier)
            if self.as_published:
                keep_released_row(
                    self.report, number, record, extras, self.actor, self.digest, self.choices
                )
        # Written: the session lets go of them, so a file of 300,000 rows is held a batch at
        # a time (the transaction still holds every row until it commits).
        self.known.settle()
        db.session.flush()
        for written in (*(theme for r in records for theme in r.theme_rows), *records):
            db.session.expunge(written)
        self.rows = []
        if self.progress is not None:
            self.progress(self.report.done, self.report.rows)


def invalid_row(exc: ValidationError, sheet: str, number: int, matching: Matching):
    """A row's problems by the column that holds each field."""
    found = []
    for name, message in _problems(exc).items():
        header = "" if name == "_schema" else matching.header_of(name)
        if header == name and name != "_schema":
            header = field_label(name)
        found.append(RowProblem(sheet, number, header, message))
    return found


def refusals(exc: DomainError, sheet: str, number: int, matching: Matching) -> list[RowProblem]:
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


def repeats_of(raw: dict[str, Any], extras: dict[str, str], known: Known, actor):
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


def keep_released_row(
    report: Report, number: int, record: Dataset, extras, actor, digest, choices=None
) -> None:
    why_not = keep_released(record, extras, actor=actor, source=f"import {digest}", choices=choices)
    if why_not == "":
        report.released.append(record.identifier)
    elif why_not:
        report.not_released.append((number, why_not))
