"""The words people read for what the registry stores as codes: field names (as the forms label
them, so an error summary names a field the way its form does) and vocabulary values. The codes
stay in the API and the exports; every page shows these.

A vocabulary that is an enum carries its words (`Labelled`: `Priority.HIGH.label` is "High");
each vocabulary's module says which fields hold it (`name_terms`), so this module knows no
domain."""

from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Labelled(StrEnum):
    """Stored codes with the words people read for them: `HIGH = "high", "High"`."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


# The words for the values each field holds, by field (see name_terms).
TERMS: dict[str, Mapping[Any, str]] = {}


def name_terms(words: type[Labelled] | Mapping[str, str], *fields: str) -> None:
    """Says that these fields hold this vocabulary (an enum of Labelled codes, or codes and
    their words), for term() and the pages."""
    named = {member: member.label for member in words} if isinstance(words, type) else words
    for field in fields:
        TERMS[field] = named


# Field names as the forms label them.
FIELD_LABELS = {
    # Datasets
    "title": "Title",
    "description": "Description",
    "department": "Department",
    "steward": "Data steward",
    "keywords": "Keywords",
    "themes": "Themes",
    "contact_name": "Contact name",
    "contact_email": "Contact email",
    "classification": "Sensitivity classification",
    "access_level": "Access level",
    "release_priority": "Department's release priority",
    "rights": "Legal basis for any restriction",
    "contains_pii": "Contains personal information",
    "pii_kinds": "Which kinds",
    "update_frequency": "Update frequency",
    "source_system": "Source system",
    "temporal": "Time period",
    "spatial": "Area covered",
    "record_count": "Approximate records",
    "issued": "Issued",
    "modified": "Last modified",
    "formats": "Formats",
    "language": "Languages",
    "landing_page": "Landing page",
    "data_dictionary": "Data dictionary",
    "data_columns": "Columns (data dictionary)",
    "license": "License",
    "distributions": "Distributions",
    "release_target_date": "Release target date",
    "status": "Status",
    "proposed_governance": "Proposed governance change",
    "published_on": "Publication date",
    "version": "Version",
    # Review steps and votes
    "note": "Rationale",
    "outcome": "The committee's decision",
    "minutes_reference": "Meeting minutes reference",
    "conditions": "Conditions of release",
    "vote": "Your vote",
    "rationale": "Rationale",
    "quorum": "Quorum",
    "release_deadline_days": "Days from approval to release",
    "rereview_days": "Days between re-reviews",
    # People and departments
    "name": "Name",
    "email": "Email",
    "code": "Code",
    "roles": "Roles",
    "departments": "Departments",
    "is_chair": "Chair",
    "active": "Active",
    "password": "Password",
    "current_password": "Current password",
    "new_password": "New password",
    "confirm_password": "New password again",
}


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()


def term(value: Any, field: str) -> str:
    """A stored value in words: `term("in_committee", "status")` is "In committee"."""
    if value is None or value == "":
        return ""
    words = TERMS.get(field, {})
    if isinstance(value, list):
        return ", ".join(words.get(item, str(item)) for item in value)
    return words.get(value, str(value))


def error_lines(messages: Any) -> list[str]:
    """One field's errors as sentences. Nested errors (a list of distributions, say) name the
    row and the field they are about: "Row 2, Download URL: Not a valid URL."."""
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, list):
        return [line for item in messages for line in error_lines(item)]
    if isinstance(messages, dict):
        lines = []
        for key, inner in messages.items():
            where = f"Row {int(key) + 1}" if str(key).isdigit() else field_label(str(key))
            lines += [f"{where}: {line}" for line in error_lines(inner)]
        return lines
    return [str(messages)]


def _day(text: str) -> str:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return text
    return f"{day.day} {day:%B %Y}"


def period(temporal: str | None) -> str:
    """A stored ISO 8601 interval in words: "1 January 2015 to 31 December 2024", or "from
    1 January 2015, ongoing"; other ISO forms (a duration) are shown as stored."""
    if not temporal:
        return ""
    start, _, end = temporal.partition("/")
    if end == "..":
        return f"from {_day(start)}, ongoing"
    if "P" in start or "P" in end:
        return temporal
    return f"{_day(start)} to {_day(end)}"


def when(moment: datetime | None) -> str:
    """A moment in words, in UTC as stored: "2 December 2026, 14:05 UTC"."""
    if moment is None:
        return ""
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count:,} days"


def due(day: date | None, today: date) -> str:
    """A date something is due, and how far off it is: "due 12 December 2026, in 6 days", or
    "due 1 November 2026, 35 days late"."""
    if day is None:
        return "no date set"
    words = f"due {day.day} {day:%B %Y}"
    if day == today:
        return f"{words}, today"
    if day > today:
        return f"{words}, in {_days((day - today).days)}"
    return f"{words}, {_days((today - day).days)} late"


def age(moment: datetime | date | None, today: date) -> str:
    """How long ago: "today", "yesterday", "12 days ago"."""
    if moment is None:
        return ""
    day = moment.date() if isinstance(moment, datetime) else moment
    days = (today - day).days
    if days <= 0:
        return "today"
    return "yesterday" if days == 1 else f"{_days(days)} ago"
