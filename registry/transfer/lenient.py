"""What a row of a city's own inventory becomes when it registers a record, so that nothing the
city had is lost and only what keeps a record safe and placed can refuse a row:

- columns the registry has no field for are kept as the record's additional fields, under the
  file's own headers;
- a row without a classification is never guessed into a lower level: it registers as
  restricted, "classification to confirm", until a steward chooses a level;
- a value the registry cannot read in a field a draft does not need (a free-text cadence, an
  unknown theme or format) leaves that field empty, keeps the text as an additional field under
  its header, and tells the steward; a restricted or sensitive record with no legal basis gets
  a placeholder for the steward to replace.
"""

from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError

from registry.datasets.creation import ALLOWED_ACCESS, Lookups, prepare_dataset
from registry.datasets.governance import TO_CONFIRM, UNCONFIRMED_RIGHTS
from registry.datasets.models import Dataset
from registry.datasets.vocab import AccessLevel, Classification
from registry.reviews.rereview import edit_dataset
from registry.transfer.headers import Matching

# What refuses a row when it cannot be read: where the record goes, what it is called, how
# sensitive it is (when the file says), and which record a row updates.
CRITICAL = frozenset({"title", "department", "classification", "identifier", "version"})
MAX_FIELDS, MAX_TEXT = 100, 5000
MISSING_RIGHTS = "To confirm: the imported inventory gave no legal basis for restricting it."


def plain(cell: Any) -> Any:
    """A cell as the importer reads it: a date (or a moment) as its ISO day, a whole number
    saved as a float as an int, text without surrounding spaces; anything else as it is."""
    if isinstance(cell, datetime):
        cell = cell.date()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if isinstance(cell, str):
        return cell.strip()
    return cell


def text_of(cell: Any) -> str:
    return str(plain(cell)).strip()


def extras_of(matching: Matching, cells: list[Any]) -> dict[str, str]:
    """The row's values in the columns no field claimed, by header (blank ones left out)."""
    extras: dict[str, str] = {}
    for position, header in enumerate(matching.headers):
        if not header or position in matching.fields or position in matching.dropped:
            continue
        if position >= len(cells):
            continue
        if cells[position] is None or text_of(cells[position]) == "":
            continue
        if len(extras) < MAX_FIELDS:
            extras[header[:200]] = text_of(cells[position])[:MAX_TEXT]
    return extras


def _governance_defaults(raw: dict[str, Any], extras: dict[str, str], headers, notes) -> None:
    """A missing classification is restricted until confirmed; a level needing a legal basis
    without one gets a placeholder. An access level the level does not allow is kept aside."""
    if "classification" not in raw:
        raw["classification"] = str(Classification.RESTRICTED)
        notes.append(TO_CONFIRM)
        raw.setdefault("rights", UNCONFIRMED_RIGHTS)
    known = raw["classification"] in {str(level) for level in Classification}
    level = Classification(raw["classification"]) if known else None
    access = raw.get("access_level")
    allowed = {str(a) for a in ALLOWED_ACCESS[level]} if level is not None else set()
    if level is not None and access is not None and access not in allowed:
        _set_aside("access_level", raw, extras, headers, notes, "not allowed at this level")
    if level in (Classification.SENSITIVE, Classification.RESTRICTED) and not raw.get("rights"):
        raw["rights"] = MISSING_RIGHTS
        notes.append("Legal basis: none was given; name the law or policy that restricts it.")
    elif raw.get("access_level") not in (None, str(AccessLevel.PUBLIC)) and not raw.get("rights"):
        raw["rights"] = MISSING_RIGHTS


def _set_aside(name, raw, extras, headers, notes, why: str) -> None:
    header = headers.get(name, name)
    value = raw.pop(name, None)
    if value is not None:
        text = value if isinstance(value, str) else "; ".join(str(v) for v in value)
        extras.setdefault(header[:200], text[:MAX_TEXT])
        notes.append(f"{header}: “{text[:200]}” was not read ({why}).")


def prepare_from_row(
    raw: dict[str, Any],
    extras: dict[str, str],
    *,
    lookups: Lookups,
    identifier: str | None,
    headers: dict[str, str],
    notes: list[str] | None = None,
) -> Dataset:
    """The row's record, read and checked for creation.register_datasets(): what cannot be read
    in a field a draft does not need is set aside (kept, and noted for the steward) and the row
    tried again; anything else refuses it. `headers` names each field's column in the file."""
    notes = list(notes or [])
    raw = dict(raw)
    _governance_defaults(raw, extras, headers, notes)
    return _leniently(
        lambda values: prepare_dataset(
            {**values, "additional_fields": dict(extras)},
            lookups=lookups,
            identifier=identifier,
            attention=notes,
        ),
        raw,
        extras,
        headers,
        notes,
    )


def update_from_row(
    record: Dataset,
    raw: dict[str, Any],
    extras: dict[str, str],
    *,
    actor,
    headers: dict[str, str],
    version: int,
) -> None:
    """Updates the record from the row, read as leniently as a new record: a value the record
    does not need that cannot be read (a city's own category) is kept aside under its header
    instead of refusing the row, and noted for its steward. The row's other columns join the
    record's additional fields (a cell left empty removes nothing)."""

    notes: list[str] = []

    def update(values: dict[str, Any]) -> None:
        kept = {**(record.additional_fields or {}), **extras}
        if kept != (record.additional_fields or {}):
            values = {**values, "additional_fields": kept}
        edit_dataset(record, values, actor=actor, expected_version=version, notes=notes)

    _leniently(update, dict(raw), extras, headers, notes)


def _leniently(attempt, raw: dict[str, Any], extras, headers, notes):
    """attempt(raw), again with each value it refuses that a record does not need set aside
    (kept under its header in `extras`, noted in `notes`); a refusal of anything else stands."""
    for _ in range(3):
        try:
            return attempt(raw)
        except ValidationError as exc:
            lenient = _lenient(exc, raw)
            if not lenient:
                raise
            for name, why in lenient.items():
                _set_aside(name, raw, extras, headers, notes, why)
    raise ValidationError({"_schema": ["The row could not be read; check its values."]})


def _lenient(exc: ValidationError, raw: dict[str, Any]) -> dict[str, str]:
    """The fields a refusal names that can be kept aside, with why (the first sentence of each
    message: the rest, a list of choices, is the form's and would bury the note); none when
    anything else refuses it."""
    messages = exc.messages if isinstance(exc.messages, dict) else {}
    lenient = [name for name in messages if name in raw and name not in CRITICAL]
    if not lenient or set(messages) - set(lenient):
        return {}
    return {
        name: "; ".join(str(m).split(". ")[0] for m in _flat(messages[name]))[:160]
        for name in lenient
    }


def _flat(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [line for inner in value.values() for line in _flat(inner)]
    if isinstance(value, list):
        return [line for item in value for line in _flat(item)]
    return [str(value)]
