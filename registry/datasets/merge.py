"""Merging an edit started from an older version with what others saved since: the three-way
rule (the version the editor started from, what they sent, the record as it stands) that the
form, the API and the importer share."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from registry.accounts.services import find_user_by_email
from registry.datasets.models import Dataset, DatasetVersion
from registry.datasets.snapshots import BOOKKEEPING, snapshot
from registry.errors import Conflict
from registry.extensions import db
from registry.labels import field_label


@dataclass
class Edit:
    """What an edit did: the record, the fields a colleague had changed since the version the
    editor started from (kept as they left them), and whether it opened a re-review round."""

    dataset: Dataset
    kept_theirs: list[str] = field(default_factory=list)
    proposal_opened: bool = False


def _comparable(name: str, value: Any) -> Any:
    """A loaded input value in the shape a snapshot keeps it, so that "did this person change
    the field" is a comparison with the version they started from."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "value"):
        return str(value)
    if name == "distributions":
        return [{key: item[key] for key in item if item[key] is not None} for item in value]
    if name == "city_priorities":
        return sorted(item.lower() for item in value)
    if name in {"themes", "pii_kinds"}:
        return sorted(value)
    return value


def _kept(name: str, snapshot_values: dict[str, Any]) -> Any:
    value = snapshot_values.get(name)
    if name == "city_priorities":
        return sorted(item.lower() for item in value or [])
    if name in {"themes", "pii_kinds"}:
        return sorted(value or [])
    if name == "steward":
        return snapshot_values.get("steward_id")
    return value


def _input_value(name: str, value: Any) -> Any:
    if name == "steward":
        user = find_user_by_email(value) if value else None
        return user.id if user is not None else value
    return _comparable(name, value)


def base_of(dataset: Dataset, based_on: int) -> dict[str, Any] | None:
    """The record as it stood at the version an edit started from (its newest kept version up
    to that number)."""
    return db.session.scalar(
        select(DatasetVersion.snapshot)
        .where(DatasetVersion.dataset_id == dataset.id, DatasetVersion.version <= based_on)
        .order_by(DatasetVersion.version.desc())
        .limit(1)
    )


def merge_edit(
    dataset: Dataset, data: dict[str, Any], based_on: int
) -> tuple[dict[str, Any], list[str]]:
    """An edit started from an older version, merged with what others saved since: only the
    fields this person changed (against the version they started from) are applied, so a
    colleague's change to any other field stands. A field both changed to different values is
    a Conflict naming each with both values; nothing is saved until the person chooses.
    Returns the fields to apply and those kept as the colleague left them."""
    base = base_of(dataset, based_on) if based_on < dataset.version else None
    if base is None:
        raise Conflict(
            f"This dataset is at version {dataset.version}; version {based_on} is not one of "
            "its versions. Reload it and apply your edit again.",
            current_version=dataset.version,
        )
    current = snapshot(dataset)
    mine, theirs = _changed_since(base, current, data)
    clashes = {
        name: {"yours": _comparable(name, mine[name]), "theirs": current.get(name)}
        for name in theirs
        if name in mine and _input_value(name, mine[name]) != _kept(name, current)
    }
    if clashes:
        raise Conflict(
            "Someone else changed "
            + ", ".join(field_label(name).lower() for name in clashes)
            + f" since version {based_on}, and so did you. Choose which value to keep.",
            current_version=dataset.version,
            fields=clashes,
            your_changes=sorted(mine),
        )
    kept = [name for name in theirs if name not in mine and name not in NOT_EDITED]
    return mine, kept


def _changed_since(base: dict, current: dict, data: dict[str, Any]) -> tuple[dict, list[str]]:
    """What this person changed against the version they started from (their values), and the
    fields others changed since then."""
    mine = {
        name: value
        for name, value in data.items()
        if _input_value(name, value) != _kept(name, base)
    }
    theirs = [
        name
        for name in current
        if name not in BOOKKEEPING and _kept(name, current) != _kept(name, base)
    ]
    return mine, theirs


# Changed by the workflow or the importer, not by an editor: not named as a colleague's edit.
NOT_EDITED = frozenset({"status", "proposed_governance", "attention", "published_on"})
