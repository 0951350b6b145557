"""A record's history as a reader may see it: every version, newest first, field by field.

What is held back, and how:
- Versions from a time the record was restricted are hidden from readers who may not read
  restricted records, and counted (the public knows restricted records exist); so are the
  earlier values in the first change after such a time, which would say what it held then.
- A proposal before the committee that the reader may not read leaves no trace at all: a
  version that only opened, carried or closed it is left out (not counted), the proposal is
  left out of any other change, and such readers see versions numbered as they see them.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from registry.accounts.models import User
from registry.datasets.models import Dataset, DatasetVersion
from registry.datasets.visibility import (
    can_read_level,
    proposal_readable_at,
    sees_everything_about,
)
from registry.extensions import db

HIDDEN_VALUE = "(not shown: the record was restricted then)"
PROPOSAL = "proposed_governance"


@dataclass(frozen=True)
class VersionView:
    version: int
    changed_at: datetime
    changed_by_label: str  # the account's email: for people signed in only
    changed_by_name: str
    action: str
    changes: dict[str, Any]
    note: str | None = None


def _proposal_readable(reader, dataset: Dataset, in_force: str, proposal: Any) -> bool:
    """No proposal is no secret; a proposal (or a value shown in its place) is read as one."""
    if proposal is None:
        return True
    if not isinstance(proposal, dict):
        return False
    return proposal_readable_at(
        reader, department_id=dataset.department_id, in_force=in_force, proposal=proposal
    )


def history(dataset: Dataset, reader) -> tuple[list[VersionView], int]:
    """Newest first, and how many versions from a restricted time are not shown."""
    shown: list[VersionView] = []
    hidden = 0
    left_out = False  # a version only a hidden proposal moved
    previous_readable = True
    for version, name in db_rows(dataset):
        snapshot = version.snapshot or {}
        in_force = snapshot.get("classification") or dataset.classification
        if not can_read_level(reader, dataset, in_force):
            hidden += 1
            previous_readable = False
            continue
        changes = _readable_changes(version, dataset, reader, in_force)
        if changes is None:
            left_out = True
            continue
        if not previous_readable:
            changes = {
                field: {"from": HIDDEN_VALUE, "to": change["to"]}
                for field, change in changes.items()
            }
        previous_readable = True
        shown.append(
            VersionView(
                version.version,
                version.changed_at,
                version.changed_by_label,
                name or "the registry",
                version.action,
                changes,
                version.note,
            )
        )
    if left_out and not sees_everything_about(reader, dataset):
        # Numbers would count the versions left out: number them as this reader sees them.
        shown = [
            VersionView(hidden + number, *(getattr(view, name) for name in _REST))
            for number, view in enumerate(shown, start=1)
        ]
    return shown[::-1], hidden


def _readable_changes(
    version: DatasetVersion, dataset: Dataset, reader, in_force: str
) -> dict[str, Any] | None:
    """The version's changes as this reader may see them, or None when the version is to be
    left out whole: only a proposal they may not read moved, or it is a step of a round they
    may not see."""
    changes = dict(version.changes or {})
    if PROPOSAL in changes:
        change = changes[PROPOSAL]
        sides = (change[side] for side in ("from", "to"))
        if not all(_proposal_readable(reader, dataset, in_force, side) for side in sides):
            del changes[PROPOSAL]
            if not changes and version.action != "create":
                return None  # only the proposal moved: no trace of it
        return changes
    snapshot = version.snapshot or {}
    if not _proposal_readable(reader, dataset, in_force, snapshot.get(PROPOSAL)) and (
        version.action in ("decide", "withdraw", "rereview") or not changes
    ):
        return None  # a step of a round the reader may not see
    return changes


_REST = ("changed_at", "changed_by_label", "changed_by_name", "action", "changes", "note")


def db_rows(dataset: Dataset) -> list[tuple[DatasetVersion, str | None]]:
    return list(
        db.session.execute(
            select(DatasetVersion, User.name)
            .outerjoin(User, User.id == DatasetVersion.changed_by_id)
            .where(DatasetVersion.dataset_id == dataset.id)
            .order_by(DatasetVersion.version)
        ).tuples()
    )
