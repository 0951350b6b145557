"""The shape a version keeps of its record: the record's own fields, by their stored names, with
a format number, independent of the API's output schema (which may change without rewriting
history). as_of() and the history read it; a migration converts older shapes."""

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from registry.datasets.models import Dataset

FORMAT = 2

# Stored as they are (lists and JSON objects as they are; dates as ISO text).
PLAIN = (
    "identifier",
    "title",
    "description",
    "keywords",
    "contact_name",
    "contact_email",
    "source_system",
    "update_frequency",
    "temporal",
    "spatial",
    "formats",
    "record_count",
    "landing_page",
    "data_dictionary",
    "data_columns",
    "license",
    "language",
    "distributions",
    "issued",
    "modified",
    "classification",
    "contains_pii",
    "pii_kinds",
    "access_level",
    "rights",
    "release_priority",
    "release_target_date",
    "additional_fields",
    "attention",
    "status",
    "review_round",
    "proposed_governance",
    "published_on",
    "version",
    "created_at",
    "updated_at",
)
# Kept for reading the record back, never shown as a change in a history.
BOOKKEEPING = frozenset(
    {"format", "version", "created_at", "updated_at", "department_id", "steward_id", "review_round"}
)


# The fields stored as dates or timestamps, kept in a snapshot as ISO 8601 text.
DATED = frozenset(
    {"issued", "modified", "release_target_date", "published_on", "created_at", "updated_at"}
)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _shape(
    values: Mapping[str, Any],
    department: str,
    steward: str | None,
    themes: list[str],
    city_priorities: list[str],
) -> dict[str, Any]:
    """The one shape, from a loaded record or a row of its table."""
    shaped = {name: values[name] for name in PLAIN}
    for name in DATED:
        shaped[name] = _plain(shaped[name])
    shaped.update(
        format=FORMAT,
        department=department,
        department_id=values["department_id"],
        steward=steward,
        steward_id=values["steward_id"],
        themes=themes,
        city_priorities=city_priorities,
    )
    return shaped


def snapshot(dataset: Dataset) -> dict[str, Any]:
    """The record as a version keeps it."""
    values = {name: getattr(dataset, name) for name in (*PLAIN, "department_id", "steward_id")}
    steward = dataset.steward.name if dataset.steward else None
    return _shape(
        values,
        dataset.department.code,
        steward,
        list(dataset.themes),
        list(dataset.city_priorities),
    )


def snapshot_of_row(
    row: Mapping[str, Any], themes: list[str], city_priorities: list[str]
) -> dict[str, Any]:
    """The same, from a row of the datasets table with its department's code and steward's name
    (`department_code`, `steward_name`): how exports read many records without loading each."""
    return _shape(row, row["department_code"], row["steward_name"], themes, city_priorities)


# Timestamps among DATED; the others are days.
MOMENTS = frozenset({"created_at", "updated_at"})


def restore(values: Mapping[str, Any]) -> dict[str, Any]:
    """A snapshot's fields with its dates and timestamps as Python values again."""
    restored = dict(values)
    for name in DATED:
        text = restored.get(name)
        if isinstance(text, str):
            parse = datetime.fromisoformat if name in MOMENTS else date.fromisoformat
            restored[name] = parse(text)
    return restored


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields that differ, as {"field": {"from": ..., "to": ...}}, bookkeeping left out."""
    return {
        key: {"from": before.get(key), "to": value}
        for key, value in after.items()
        if key not in BOOKKEEPING
        and before.get(key) != value
        # A field newer than the version before it, still empty, is no change.
        and not (key not in before and value in ([], {}, None))
    }


def digest(values: Mapping[str, Any]) -> str:
    """A snapshot's SHA-256 over its canonical JSON, as a version's audit event records it, so
    that a snapshot edited afterwards no longer matches its event."""
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
