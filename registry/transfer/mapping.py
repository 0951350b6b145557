"""How the person importing a file chose to read it: each source column as a field, "keep" (an
additional field) or "ignore", and each value of an enumerated field the registry cannot read
(a priority, a classification, a frequency, an access level) as one of the registry's.

The same choices come from the preview page, from `registry import --map` and --map-file, and
from the mapping the department settled on last time (ImportMapping). As a file, one choice a
line: "Source header=field" for a column, "Field: Source value=registry value" for a value
("Department Priority: Tier A=high"; an empty right side leaves the field empty)."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from registry.datasets.vocab import UPDATE_FREQUENCIES, AccessLevel, Classification, Priority
from registry.db import utcnow
from registry.extensions import db
from registry.labels import field_label
from registry.transfer.columns import BY_FIELD
from registry.transfer.duplicates import Duplicates
from registry.transfer.headers import DROP, KEEP, NORMALISERS, Matching, field_named, squash
from registry.transfer.models import ANY_DEPARTMENT, ImportMapping
from registry.transfer.released import (
    NOT_PUBLISHED_WORDS,
    PUBLISHED_WORDS,
    STATUS,
    STATUS_HEADERS,
)

# The enumerated fields a value can be mapped for, with the registry's values and their words.
ENUMERATED: dict[str, dict[str, str]] = {
    "classification": {
        "public": "Level 1: public",
        "internal": "Level 2: internal",
        "sensitive": "Level 3: sensitive",
        "restricted": "Level 4: restricted",
    },
    "release_priority": {str(p): str(p).capitalize() for p in Priority},
    "update_frequency": dict(UPDATE_FREQUENCIES),
    "access_level": {str(a): str(a).capitalize() for a in AccessLevel},
    # A status column's words, for an import that keeps what is released as released.
    STATUS: {"published": "Published (already released)", "not published": "Not published"},
}
ALLOWED = {name: set(values) for name, values in ENUMERATED.items()}
ALLOWED["classification"] = {str(level) for level in Classification}
LABELLED = {squash(field_label(name)): name for name in BY_FIELD}
MAX_VALUES = 50  # distinct unknown values offered for mapping in one field


def _named(text: str) -> str | None:
    """A field by its name, header, a synonym, or the label the preview and mapping file use."""
    return field_named(text) or LABELLED.get(squash(text))


def _enumerated(text: str) -> str | None:
    """The enumerated field a value line names (a status column's name is the status's)."""
    if squash(text) in STATUS_HEADERS | {squash(STATUS)}:
        return STATUS
    return _named(text)


@dataclass
class Choices:
    columns: dict[str, str] = field(default_factory=dict)  # squashed header -> field|keep|ignore
    # field -> the value as the file writes it -> the registry's value ("" leaves it empty)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.columns or self.values)

    def over(self, remembered: "Choices") -> "Choices":
        """These choices, and the remembered ones where these say nothing."""
        values = {name: dict(mapped) for name, mapped in remembered.values.items()}
        for name, mapped in self.values.items():
            kept = values.setdefault(name, {})
            for source, target in mapped.items():  # one spelling of a value, the latest
                for other in [o for o in kept if squash(o) == squash(source)]:
                    del kept[other]
                kept[source] = target
        return Choices({**remembered.columns, **self.columns}, values)

    def as_json(self) -> dict[str, Any]:
        return {"columns": self.columns, "values": self.values}

    @classmethod
    def from_json(cls, stored: dict[str, Any] | None) -> "Choices":
        stored = stored or {}
        return cls(dict(stored.get("columns") or {}), dict(stored.get("values") or {}))

    def value_of(self, name: str, text: str) -> str | None:
        """What the person mapped this value to ("" for empty), or None if they did not."""
        wanted = squash(text)
        for source, target in self.values.get(name, {}).items():
            if squash(source) == wanted:
                return target
        return None


def read_choices(lines: Iterable[str]) -> Choices:
    """Choices one a line, as the module says; refuses with the line and what to write when
    one cannot be read."""
    choices = Choices()
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        named, colon, rest = text.partition(":")
        enumerated = _enumerated(named) if colon else None
        if enumerated in ENUMERATED and "=" in rest:
            source, _, target = rest.rpartition("=")
            choices.values.setdefault(enumerated, {})[source.strip()] = _value(
                enumerated, target, number
            )
            continue
        source, sep, target = text.rpartition("=")
        if not sep or not source.strip():
            raise ValueError(f"Line {number}: write “Source header=field”, not “{text}”.")
        wanted = target.strip().lower()
        chosen = wanted if wanted in (KEEP, DROP) else _named(target)
        if chosen is None:
            raise ValueError(
                f"Line {number}: “{target.strip()}” is not a field. Give a field such as Title, "
                f"Department, Update frequency, Classification, or “{KEEP}” or “{DROP}”."
            )
        choices.columns[squash(source)] = chosen
    return choices


def _value(name: str, target: str, number: int) -> str:
    text = target.strip()
    if not text:
        return ""
    words = {squash(word): code for code, word in ENUMERATED[name].items()}
    words.update({squash(code): code for code in ENUMERATED[name]})
    if squash(text) in words:
        return words[squash(text)]
    normalised = NORMALISERS[name](text) if name in NORMALISERS else text
    if normalised in ALLOWED[name]:
        return normalised
    raise ValueError(
        f"Line {number}: “{text}” is not one of the registry's values for "
        f"{field_label(name).lower()}. Use "
        + ", ".join(ENUMERATED[name].values())
        + ", or nothing to leave it empty."
    )


def lines_of(choices: Choices, matching: Matching) -> list[str]:
    """The choices as a mapping file for this file's headers: every column as it is read, then
    each value mapped."""
    lines = ["# How to read this inventory: registry import FILE --map-file THIS_FILE"]
    for position, header in enumerate(matching.headers):
        if not header:
            continue
        if position in matching.fields:
            lines.append(f"{header}={field_label(matching.fields[position])}")
        else:
            lines.append(f"{header}={DROP if position in matching.dropped else KEEP}")
    for name, mapped in choices.values.items():
        for source, target in mapped.items():
            word = ENUMERATED[name].get(target, "") if target else ""
            lines.append(f"{field_label(name)}: {source}={word}")
    return lines


def unknown_values(
    rows: Iterable[tuple[int, list[Any]]],
    matching: Matching,
    choices: Choices,
    *,
    status: bool = False,
) -> dict[str, Counter]:
    """Each enumerated field's values in the file that the registry cannot read and the person
    has not mapped, with how many rows hold each, as the file writes them; with `status`, a
    status column's words that say neither published nor not (an import keeping releases)."""
    positions = {p: name for p, name in matching.fields.items() if name in ENUMERATED}
    if status:
        positions.update(
            {
                p: STATUS
                for p, header in enumerate(matching.headers)
                if p not in matching.fields and squash(header) in STATUS_HEADERS
            }
        )
    found: dict[str, Counter] = {}
    for _, cells in rows:
        for position, name in positions.items():
            text = _unread(cells[position] if position < len(cells) else None, name, choices)
            if text is None:
                continue
            counted = found.setdefault(name, Counter())
            if text in counted or len(counted) < MAX_VALUES:
                counted[text] += 1
    return found


def _unread(cell: Any, name: str, choices: Choices) -> str | None:
    """The cell's text when the registry cannot read it for the field and nobody chose what it
    means; None for an empty cell or one it reads."""
    if cell is None or not str(cell).strip() or isinstance(cell, bool):
        return None
    text = str(cell).strip()
    if choices.value_of(name, text) is not None or _known(name, text):
        return None
    return text


def _known(name: str, text: str) -> bool:
    if name == STATUS:
        return squash(text) in PUBLISHED_WORDS | NOT_PUBLISHED_WORDS
    normalised = NORMALISERS[name](text) if name in NORMALISERS else text
    return normalised in ALLOWED[name]


def remembered(department: str | None) -> Choices:
    """The choices last confirmed for the department's imports (None: a file naming its own
    departments)."""
    kept = db.session.scalar(select(ImportMapping).where(_for(department)))
    return Choices.from_json(kept.choices if kept else None)


def remember(department: str | None, choices: Choices, *, actor) -> None:
    """Keeps the choices of a confirmed import for the department's next one."""
    if not choices:
        return
    kept = db.session.scalar(select(ImportMapping).where(_for(department)))
    if kept is None:
        kept = ImportMapping(department=department or ANY_DEPARTMENT)
        db.session.add(kept)
    kept.choices = choices.over(Choices.from_json(kept.choices)).as_json()
    kept.updated_at = utcnow()
    kept.updated_by_id = getattr(actor, "id", None)


def _for(department: str | None):
    return ImportMapping.department == (department or ANY_DEPARTMENT)


def choices_from_form(form, headers: list[str], fields: list[str]) -> Choices:
    """The preview's choices: "column-N" says how the Nth column reads (a field, keep or
    ignore); "value-F-N" what the value in "source-F-N" of field F means ("-": nothing).
    Anything else a form sends is left out."""
    choices = Choices()
    for position, header in enumerate(headers):
        chosen = form.get(f"column-{position}")
        if header and (chosen in (KEEP, DROP) or chosen in fields):
            choices.columns[squash(header)] = chosen
    for key, target in form.items():
        if not key.startswith("value-") or not target:
            continue
        name, _, number = key[len("value-") :].rpartition("-")
        source = (form.get(f"source-{name}-{number}") or "").strip()
        if name not in ENUMERATED or not source:
            continue
        if target == "-" or target in ALLOWED[name]:
            choices.values.setdefault(name, {})[source] = "" if target == "-" else target
    return choices


def row_choices_from_form(form) -> dict[str, str]:
    """What to do with each repeating row the preview lists ("repeat-N": skip, update or
    create), by row number as text (kept as JSON with the upload)."""
    chosen = {}
    for key, value in form.items():
        number = key[len("repeat-") :]
        if key.startswith("repeat-") and number.isdigit() and value in set(Duplicates):
            chosen[number] = value
    return chosen
