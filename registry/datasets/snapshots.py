"""The shape a version keeps of its record: the record's own fields, by their stored names, with
a format number, independent of the API's output schema (which may change without rewriting
history). as_of() and the history read it; a migration converts older shapes."""

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


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def snapshot(dataset: Dataset) -> dict[str, Any]:
    """The record as a version keeps it."""
    values = {name: _plain(getattr(dataset, name)) for name in PLAIN}
    values.update(
        format=FORMAT,
        department=dataset.department.code,
        department_id=dataset.department_id,
        steward=dataset.steward.name if dataset.steward else None,
        steward_id=dataset.steward_id,
        themes=list(dataset.themes),
    )
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The fields that differ, as {"field": {"from": ..., "to": ...}}, bookkeeping left out."""
    return {
        key: {"from": before.get(key), "to": value}
        for key, value in after.items()
        if key not in BOOKKEEPING and before.get(key) != value
    }
