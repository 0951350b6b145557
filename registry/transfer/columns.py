"""The inventory's columns as spreadsheets carry them, in order: the header people read, the
record field it holds, what it means, and how a value is written to a cell and read back.

One table for the XLSX and CSV exports, their Fields sheet, the importer and the demo city's
catalogue, so that a file the registry writes is a file it reads. Values keep the registry's
codes (the API's, DCAT-US's); lists are separated by semicolons; distributions are JSON.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from registry.datasets.vocab import PII_KINDS, UPDATE_FREQUENCIES, AccessLevel, Classification
from registry.reviews.workflow import State

LIST_SEPARATOR = "; "


def _text(value: Any) -> Any:
    return value


def _list_out(value: Any) -> str:
    return LIST_SEPARATOR.join(str(item) for item in value or [])


def _list_in(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [item.strip() for item in str(value).replace("\n", ";").split(";") if item.strip()]


def _json_out(value: Any) -> str:
    return json.dumps(value or [], ensure_ascii=False, sort_keys=True) if value else ""


def _json_in(value: Any) -> Any:
    if value is None or value == "":
        return []
    try:
        return json.loads(value)
    except (TypeError, ValueError) as exc:
        raise ValueError("Give a JSON list of distributions, as the export writes them.") from exc


def _yes_no_out(value: Any) -> str:
    return "yes" if value else "no"


def _yes_no_in(value: Any) -> bool:
    text = str(value or "").strip().lower()
    if text in {"yes", "y", "true", "1", "x"}:
        return True
    if text in {"", "no", "n", "false", "0"}:
        return False
    raise ValueError("Write yes or no.")


def _date_out(value: Any) -> Any:
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return value


def _number_out(value: Any) -> Any:
    return value


def _judged_out(value: Any) -> str:
    """Yes or no where a judgement was made; empty where none could be."""
    return "" if value is None else _yes_no_out(value)


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    meaning: str
    allowed: str = ""
    write: Callable[[Any], Any] = _text  # a record's value -> a cell
    read: Callable[[Any], Any] = _text  # a cell -> the value the API takes
    importable: bool = True  # read back by the importer (the rest are the registry's own)
    kind: str = "text"  # text, number, date: how a spreadsheet stores it


def _codes(values) -> str:
    return ", ".join(str(value) for value in values)


COLUMNS: tuple[Column, ...] = (
    Column("Identifier", "identifier", "The registry's stable identifier; empty for a new record."),
    Column("Title", "title", "The dataset's name."),
    Column("Description", "description", "What the data is and how it is collected."),
    Column("Department", "department", "The department that holds it, by code."),
    Column("Keywords", "keywords", "Words to find it by.", "separated by ;", _list_out, _list_in),
    Column("Themes", "themes", "Subjects it covers.", "separated by ;", _list_out, _list_in),
    Column(
        "City priorities",
        "city_priorities",
        "The city's strategic priorities it supports.",
        "the coordinator's list; separated by ;",
        _list_out,
        _list_in,
    ),
    Column("Contact name", "contact_name", "Who the public may ask about it (contactPoint)."),
    Column("Contact email", "contact_email", "Their email address (contactPoint.hasEmail)."),
    Column("Steward", "steward", "The data steward: their email address in the registry."),
    Column("Source system", "source_system", "The system the data comes from."),
    Column(
        "Update frequency",
        "update_frequency",
        "How often it is updated (accrualPeriodicity).",
        _codes(UPDATE_FREQUENCIES),
    ),
    Column(
        "Time period",
        "temporal",
        "The period it covers, as an ISO 8601 interval (start/end; start/.. if ongoing).",
    ),
    Column("Area covered", "spatial", "The place it covers."),
    Column("Formats", "formats", "File formats.", "separated by ;", _list_out, _list_in),
    Column(
        "Approximate records",
        "record_count",
        "About how many records it holds.",
        "a whole number",
        _number_out,
        kind="number",
    ),
    Column("Landing page", "landing_page", "Where the public finds it."),
    Column("Data dictionary", "data_dictionary", "What its fields mean (describedBy)."),
    Column("License", "license", "The license's URL."),
    Column("Languages", "language", "Language tags.", "separated by ;", _list_out, _list_in),
    Column(
        "Distributions",
        "distributions",
        "Downloads and access points: a JSON list of objects with title, format, media_type, "
        "download_url, access_url.",
        "JSON",
        _json_out,
        _json_in,
    ),
    Column("Issued", "issued", "When it was first released.", "a date", _date_out, kind="date"),
    Column(
        "Last modified", "modified", "When its data last changed.", "a date", _date_out, kind="date"
    ),
    Column(
        "Classification",
        "classification",
        "Sensitivity: public (1), internal (2), sensitive (3), restricted (4).",
        _codes(Classification),
    ),
    Column(
        "Contains personal information",
        "contains_pii",
        "Whether it holds information about people.",
        "yes, no",
        _yes_no_out,
        _yes_no_in,
    ),
    Column(
        "Kinds of personal information",
        "pii_kinds",
        "Which kinds, if it holds any.",
        _codes(PII_KINDS) + "; separated by ;",
        _list_out,
        _list_in,
    ),
    Column("Access level", "access_level", "Who may have it (accessLevel).", _codes(AccessLevel)),
    Column("Legal basis", "rights", "The law or policy restricting access (rights)."),
    Column(
        "Release priority",
        "release_priority",
        "The department's own priority for releasing it.",
        "high, medium, low",
    ),
    Column(
        "Release target date",
        "release_target_date",
        "When the committee's approval says it is to be released.",
        "a date",
        _date_out,
        importable=False,
        kind="date",
    ),
    Column(
        "Status",
        "status",
        "Where it stands in the review workflow.",
        _codes(State),
        importable=False,
    ),
    Column(
        "Published on",
        "published_on",
        "The day it was published.",
        "a date",
        _date_out,
        importable=False,
        kind="date",
    ),
    Column(
        "Version",
        "version",
        "The version an edit is based on; an import updates a record only from its current "
        "version.",
        "a whole number",
        _number_out,
        kind="number",
    ),
    # What the day of the export says (the registry's own, never kept with a record's row):
    # San Francisco's inventory calls them "On Time" and "Lag Days".
    Column(
        "On time",
        "on_time",
        "For a released dataset with an update frequency that the city's portal lists: whether "
        "the portal's last change is within its update period and grace, as of the export's day.",
        "yes, no, or empty where it is not judged",
        _judged_out,
        importable=False,
    ),
    Column(
        "Days late",
        "days_late",
        "Days since the portal's last change beyond the update period (0 when on time, empty "
        "where it is not judged).",
        "a whole number",
        _number_out,
        importable=False,
        kind="number",
    ),
)

HEADERS = [column.header for column in COLUMNS]
BY_FIELD = {column.field: column for column in COLUMNS}


# The columns whose values need writing out (the rest are written as they are).
_WRITERS = [(column.field, None if column.write is _text else column.write) for column in COLUMNS]


def modified_of(record: dict[str, Any]) -> str:
    """When the record's data last changed as every export says it: the date it gives, or the
    day the record itself last changed (data.json requires one)."""
    return record.get("modified") or (record.get("updated_at") or "")[:10]


def row_of(record: dict[str, Any]) -> list[Any]:
    """A record (a snapshot, redacted) as one spreadsheet row, in column order."""
    values = {**record, "modified": modified_of(record) or None}
    get = values.get
    return [get(name) if write is None else write(get(name)) for name, write in _WRITERS]
