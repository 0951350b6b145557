"""Reading the spreadsheets cities already keep: their column headers matched to the record's
fields (without regard to case, spacing or punctuation, and through the names published city
inventories use, such as San Francisco's, San Diego's and New York's), and their values turned
into the registry's codes. Pure functions: no database, no Flask."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from registry.datasets.vocab import UPDATE_FREQUENCIES
from registry.transfer.columns import COLUMNS

# The names other inventories give a field, beside the registry's own headers and field names.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "identifier": ("registry identifier", "registry id"),
    "title": ("name", "dataset name", "dataset title", "data set name", "dataset"),
    "description": ("summary", "dataset description", "description of dataset", "abstract"),
    "department": (
        "agency",
        "agency name",
        "division",
        "department or division",
        "department division",
        "bureau",
        "office",
        "dept",
        "department name",
        "department code",
        "publisher",
        "owning department",
        "responsible department",
    ),
    "steward": ("data steward", "owner", "data owner", "data custodian", "custodian"),
    "contact_name": ("contact", "point of contact", "contact person", "data contact"),
    "contact_email": ("email", "contact email address", "point of contact email"),
    "keywords": ("tags", "keyword", "search terms"),
    "themes": ("category", "theme", "topic", "categories", "subject"),
    "city_priorities": ("strategic priority", "strategic priorities", "city priority", "goal"),
    "update_frequency": (
        "frequency",
        "refresh frequency",
        "publishing frequency",
        "update schedule",
        "accrual periodicity",
        "how often updated",
        "cadence",
        "update cadence",
        "refresh rate",
        "refresh",
        "refreshed",
        "update interval",
    ),
    "classification": (
        "data classification",
        "sensitivity",
        "security classification",
        "data sensitivity",
        "classification level",
    ),
    "source_system": ("system", "system of record", "source", "application"),
    "temporal": ("temporal coverage", "date range", "time coverage", "coverage period"),
    "spatial": ("geographic coverage", "geographic unit", "area", "spatial coverage", "geography"),
    "record_count": ("row count", "rows", "number of records", "records", "record count"),
    "landing_page": ("url", "link", "dataset link", "dataset url", "portal link"),
    "data_dictionary": ("dictionary", "data dictionary url", "metadata link"),
    "formats": ("format", "file format", "file formats"),
    "access_level": ("access", "public access level"),
    "rights": ("legal basis for restriction", "restriction reason", "exemption"),
    "contains_pii": ("personal information", "pii", "contains pii"),
    "pii_kinds": ("pii kinds", "kinds of pii", "types of personal information"),
    "release_priority": ("priority", "department priority", "release priority level"),
    "license": ("licence", "license url"),
    "language": ("languages",),
    "issued": (
        "date created",
        "created",
        "publication date",
        "date published",
        "first published",
        "datepublished",
    ),
    "modified": ("last updated", "last modified", "date updated", "updated", "data last updated"),
}


@lru_cache(maxsize=8192)  # a file's headers and words repeat on every row
def squash(header: object) -> str:
    """A header without case, spacing or punctuation: "Dataset  Name:" is "datasetname"."""
    return re.sub(r"[^a-z0-9]", "", str(header or "").lower())


def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.header, column.field, *SYNONYMS.get(column.field, ())):
            names.setdefault(squash(name), column.field)
    return names


NAMES = _names()


@dataclass(frozen=True)
class Matching:
    """How a file's columns were read: each header's field (by position), the headers left
    unread (kept as additional fields), and the columns the importer chose to drop."""

    fields: dict[int, str]
    headers: list[str]
    ignored: list[str]
    dropped: frozenset[int] = frozenset()

    def header_of(self, field: str) -> str:
        for position, name in self.fields.items():
            if name == field:
                return self.headers[position]
        return field


# What a person may say a column is, besides a field: kept as an additional field, or dropped.
KEEP, DROP = "keep", "ignore"


def field_named(name: str) -> str | None:
    """A field by its name, its header or a synonym ("Update frequency", "cadence")."""
    return NAMES.get(squash(name))


def match_headers(headers: Iterable[object], choices: dict[str, str] | None = None) -> Matching:
    """Each header to a field; what the importer chose for a header comes first, then the
    names the registry knows; a field claimed twice keeps its first column."""
    headers = [str(header or "").strip() for header in headers]
    choices = choices or {}
    fields: dict[int, str] = {}
    taken: set[str] = set()
    ignored, dropped = [], set()
    chosen = {p: choices[squash(h)] for p, h in enumerate(headers) if squash(h) in choices}
    _claim(fields, taken, chosen.items())
    for position, header in enumerate(headers):
        if position in fields:
            continue
        choice = chosen.get(position)
        if choice == DROP:
            dropped.add(position)
        field = None if choice in (KEEP, DROP) else NAMES.get(squash(header))
        if field is None or field in taken:
            if header and choice != DROP:
                ignored.append(header)
            continue
        fields[position] = field
        taken.add(field)
    return Matching(fields, headers, ignored, frozenset(dropped))


def _claim(fields: dict[int, str], taken: set[str], chosen) -> None:
    """The fields the person chose for columns, each to the first column chosen for it."""
    for position, choice in chosen:
        if choice not in (KEEP, DROP) and choice not in taken:
            fields[position] = choice
            taken.add(choice)


# Words people write for an update frequency, beside the POD codes and the registry's words.
FREQUENCY_WORDS = {
    **{squash(words): code for code, words in UPDATE_FREQUENCIES.items()},
    **{squash(code): code for code in UPDATE_FREQUENCIES},
    "annually": "R/P1Y",
    "annual": "R/P1Y",
    "yearly": "R/P1Y",
    "biannually": "R/P6M",
    "semiannually": "R/P6M",
    "biweekly": "R/P2W",
    "fortnightly": "R/P2W",
    "bimonthly": "R/P2M",
    "realtime": "R/PT1S",
    "asneeded": "irregular",
    "adhoc": "irregular",
    "asupdated": "irregular",
    "historical": "irregular",
    "none": "irregular",
}

CLASSIFICATION_WORDS = {
    **{word: "public" for word in ("public", "1", "level1", "open", "low")},
    **{word: "internal" for word in ("internal", "2", "level2", "protected", "moderate")},
    **{word: "sensitive" for word in ("sensitive", "3", "level3", "confidential", "high")},
    **{
        word: "restricted"
        for word in ("restricted", "4", "level4", "secret", "highlysensitive", "critical")
    },
}

PRIORITY_WORDS = {"high": "high", "h": "high", "medium": "medium", "med": "medium", "m": "medium"}
PRIORITY_WORDS.update({"low": "low", "l": "low", "1": "high", "2": "medium", "3": "low"})
# "Priority 1", "P2", "Tier 3", "1 - High": the first rank is the most urgent.
for rank, code in (("1", "high"), ("2", "medium"), ("3", "low")):
    for prefix in ("priority", "p", "tier", "rank", "level"):
        PRIORITY_WORDS[prefix + rank] = code
LEVEL = re.compile(r"^(?:level|tier|class|priority|p)?([1-4])(?:[a-z]*)$")


def frequency_code(value: str) -> str:
    """A frequency in words or as a code, as its POD code; unknown words pass through (the
    schema then says what it accepts)."""
    return FREQUENCY_WORDS.get(squash(value), value)


CLASSIFICATION_LEVELS = {"1": "public", "2": "internal", "3": "sensitive", "4": "restricted"}


def classification_code(value: str) -> str:
    """ "Protected", "Level 2", "2 - Internal", "Level 4: Restricted" as the registry's code;
    anything else as written (the schema then says what it accepts)."""
    squashed = squash(value)
    if squashed in CLASSIFICATION_WORDS:
        return CLASSIFICATION_WORDS[squashed]
    level = LEVEL.match(squashed)
    if level:
        return CLASSIFICATION_LEVELS[level.group(1)]
    return value.strip().lower()


def priority_code(value: str) -> str:
    """ "High", "Priority 1", "P2", "1 - High" as high, medium or low."""
    squashed = squash(value)
    if squashed in PRIORITY_WORDS:
        return PRIORITY_WORDS[squashed]
    level = LEVEL.match(squashed)
    if level and level.group(1) in "123":
        return PRIORITY_WORDS[level.group(1)]
    for word in ("high", "medium", "low"):
        if squashed.endswith(word):
            return word
    return value.strip().lower()


US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})$")
ISO_MOMENT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}")
YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def day_text(value: str) -> str:
    """A day as cities write it (ISO, an ISO moment, m/d/yyyy as US cities do, a month or a
    year alone, read as its first day) as ISO text; anything else as written (the schema then
    says it wants a date)."""
    text = value.strip()
    moment = ISO_MOMENT.match(text)
    if moment:
        return moment.group(1)
    us = US_DATE.match(text)
    if us:
        month, day, year = (int(part) for part in us.groups())
        year += 2000 if year < 100 else 0
        return f"{year:04d}-{month:02d}-{day:02d}"
    partial = YEAR_MONTH.match(text)
    if partial:
        return f"{partial.group(1)}-{partial.group(2) or '01'}-01"
    return text


THOUSANDS = re.compile(r"^\d{1,3}(?:[, ]\d{3})+$")


def count_text(value: str) -> str:
    """ "412,336" and "412 336" as 412336; anything else as written."""
    text = value.strip()
    return re.sub(r"[, ]", "", text) if THOUSANDS.match(text) else text


NORMALISERS = {
    "record_count": count_text,
    "update_frequency": frequency_code,
    "classification": classification_code,
    "release_priority": priority_code,
    "issued": day_text,
    "modified": day_text,
}
