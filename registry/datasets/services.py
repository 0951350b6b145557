"""Registering and editing datasets: every rule checked on the record as it would stand, every
change kept as a version and an audit event in the same transaction."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets import governance
from registry.datasets.creation import (
    DATASET_PATCH,
    Lookups,
    apply_fields,
    check_can_create,
    keep_version,
    prepare_dataset,
    record_problems,
    register_datasets,
    resolve_department,
    resolve_priorities,
    resolve_steward,
    resolve_themes,
)
from registry.datasets.merge import Edit, merge_edit
from registry.datasets.models import Dataset, DatasetVersion
from registry.datasets.permissions import can_edit_dataset
from registry.datasets.snapshots import diff, digest, snapshot
from registry.datasets.visibility import readable_by
from registry.datasets.vocab import DEFAULT_ACCESS_LEVEL
from registry.db import utcnow
from registry.errors import Conflict, NotFound, PermissionDenied
from registry.extensions import db
from registry.performance.models import CityPriority
from registry.reviews.workflow import GOVERNANCE_FIELDS, GovernanceEdit
from registry.validation import load_input, raise_for


def get_readable(identifier: str, user) -> Dataset:
    """The record, if this user may read it; otherwise NotFound, exactly as if it did not exist."""
    dataset = db.session.scalar(
        select(Dataset).where(Dataset.identifier == identifier, readable_by(user))
    )
    if dataset is None:
        raise NotFound("There is no dataset with that identifier.")
    return dataset


def lock_for_update(dataset: Dataset) -> None:
    """Locks the record's row until the transaction ends and reloads it, so a step that waited
    here judges what the step before it left. Lock order: the record first, then the audit
    chain's head (record_event), never the other way round.

    PostgreSQL refuses FOR UPDATE across the record's eager outer joins, so the id alone is
    locked. On SQLite a writing transaction already holds the database's write lock.
    """
    db.session.execute(select(Dataset.id).where(Dataset.id == dataset.id).with_for_update())
    db.session.refresh(dataset)


def city_priority_names() -> list[str]:
    """The city's strategic priorities, in the coordinator's order."""
    query = select(CityPriority.name).order_by(CityPriority.position, CityPriority.name)
    return list(db.session.scalars(query))


# Changes that are deliberation, not the record: a proposal before the committee opened, or
# closed with nothing changed. Some readers may not know of it, so its moment is not the
# record's last update (updated_at) that they see; its version keeps its own moment.
DELIBERATION = frozenset({"proposed_governance", "review_round"})


def touch(dataset: Dataset, changed: Iterable[str]) -> datetime:
    """Moves the record's last update to now when anything every reader may see changed;
    returns the moment of the change either way."""
    now = utcnow()
    if set(changed) - DELIBERATION:
        dataset.updated_at = now
    else:  # written as it is, or the column's onupdate would move it
        flag_modified(dataset, "updated_at")
    return now


def check_can_edit(dataset: Dataset, actor) -> None:
    if not can_edit_dataset(actor, dataset):
        raise PermissionDenied("You can edit only your own department's datasets.")


def record_edit(
    dataset: Dataset,
    changes: dict[str, dict],
    *,
    actor,
    at: datetime | None = None,
    details: dict[str, Any] | None = None,
) -> DatasetVersion:
    """A change to a record, written whole, as every writer of an edit writes it: the flush (a
    colleague's save at the same moment fails it, as a Conflict), the version and the audit
    event with each changed value before and after."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise Conflict(
            "This dataset was changed by someone else at the same moment. Reload it and apply "
            "your edit again."
        ) from exc
    kept = keep_version(dataset, actor=actor, action="edit", changes=changes, at=at)
    record_event(
        Tag.DATASET_UPDATE,
        actor=actor,
        subject_type="dataset",
        subject_id=dataset.identifier,
        before={key: change["from"] for key, change in changes.items()},
        after={key: change["to"] for key, change in changes.items()},
        details={
            "version": dataset.version,
            "snapshot_sha256": digest(kept.snapshot),
            **(details or {}),
        },
    )
    return kept


def keep_transition_version(
    dataset: Dataset, *, actor, action: str, note: str | None = None, at: datetime | None = None
) -> DatasetVersion:
    """A workflow step is a version too: the history shows the state change beside the edits."""
    previous = db.session.scalar(
        select(DatasetVersion.snapshot)
        .where(DatasetVersion.dataset_id == dataset.id)
        .order_by(DatasetVersion.version.desc())
        .limit(1)
    )
    changes = diff(previous or {}, snapshot(dataset))
    return keep_version(dataset, actor=actor, action=action, changes=changes, note=note, at=at)


def create_dataset(
    raw: dict[str, Any],
    *,
    actor,
    identifier: str | None = None,
    attention: list[str] | None = None,
) -> Dataset:
    """Registers a draft (creation.prepare_dataset says what each argument is)."""
    check_can_create(actor)
    dataset = prepare_dataset(
        raw, lookups=Lookups(actor), identifier=identifier, attention=attention
    )
    register_datasets([dataset], actor=actor)
    return dataset


def update_dataset(
    dataset: Dataset,
    raw: dict[str, Any],
    *,
    actor,
    expected_version: int | None = None,
    notes: list[str] | None = None,
) -> Edit:
    """Applies an edit based on `version` (in the body, or given as expected_version from an
    If-Match header). Based on an older version, it applies only what the editor changed
    (merge_edit): never an overwrite of a colleague's work. The record is locked first, so an
    edit that waited on another merges with what that one saved. `notes` join what the
    steward must look at (an import's values it could not read), each once."""
    check_can_edit(dataset, actor)
    lock_for_update(dataset)
    data, errors, kept_theirs = _read_edit(dataset, raw, expected_version)
    department, steward = _resolve_references(dataset, data, errors, Lookups(actor))
    before = snapshot(dataset)
    merged = {**before, **data}
    if "classification" in data and "access_level" not in data:
        # A new classification brings its own default access level unless one is given.
        merged["access_level"] = data["access_level"] = DEFAULT_ACCESS_LEVEL[data["classification"]]
    raise_for(errors, record_problems(merged))
    # On a decided record a governance change is a proposal to the committee, not an edit: it
    # waits in a new review round, which the caller announces (reviews.rereview).
    proposal = governance.proposal_from_edit(dataset, merged)
    if proposal is not None or governance.edit_mode(dataset) != GovernanceEdit.APPLY:
        for name in GOVERNANCE_FIELDS:
            data.pop(name, None)
    _note_attention(dataset, data, notes)
    apply_fields(dataset, data)
    dataset.department = department
    dataset.steward = steward
    if proposal is not None:
        dataset.proposed_governance = proposal
        dataset.review_round += 1
    changes = diff(before, snapshot(dataset))
    outcome = Edit(dataset, kept_theirs)
    if not changes:
        return outcome
    moment = touch(dataset, changes)
    merged_note = {"merged": kept_theirs} if kept_theirs else {}
    record_edit(dataset, changes, actor=actor, at=moment, details=merged_note)
    # A new review round was opened: the caller announces it (reviews.rereview.edit_dataset).
    outcome.proposal_opened = proposal is not None
    return outcome


def _read_edit(
    dataset: Dataset, raw: dict[str, Any], expected_version: int | None
) -> tuple[dict[str, Any], dict[str, list[str]], list[str]]:
    """The edit's fields, what is wrong with them, and (based on an older version) the fields a
    colleague changed since, which it leaves as they are."""
    data, errors = load_input(DATASET_PATCH, raw)
    if "access_level" in data and data["access_level"] is None:
        del data["access_level"]  # "the default": decided from the classification
    based_on = data.pop("version", None) or expected_version
    kept_theirs: list[str] = []
    if based_on is None and "version" not in errors:
        errors["version"] = [
            "Send the version this edit is based on (the version field or an If-Match header)."
        ]
    elif based_on is not None and based_on != dataset.version and not errors:
        data, kept_theirs = merge_edit(dataset, data, based_on)
    return data, errors, kept_theirs


def _resolve_references(dataset: Dataset, data: dict[str, Any], errors, lookups: Lookups):
    """The department and steward the edit leaves the record with; its themes and city
    priorities found (what is unknown goes to `errors`)."""
    department = dataset.department
    if "department" in data:
        department = resolve_department(lookups, data["department"], errors)
    steward = dataset.steward
    if "steward" in data or "department" in data:
        steward_email = data.get("steward", steward.email if steward else None)
        steward = resolve_steward(lookups, steward_email, department, errors)
    resolve_themes(lookups, data, errors)
    if "city_priorities" in data:
        data["city_priorities_resolved"] = resolve_priorities(
            lookups, data["city_priorities"], errors
        )
    if "classification" in data and dataset.rights == governance.UNCONFIRMED_RIGHTS:
        data.setdefault("rights", None)  # the placeholder goes once a level is chosen
    return department, steward


def _note_attention(dataset: Dataset, data: dict[str, Any], notes: list[str] | None) -> None:
    """A chosen level settles "classification to confirm"; an import's notes join, once each."""
    if "classification" in data and governance.TO_CONFIRM in dataset.attention:
        dataset.attention = [note for note in dataset.attention if note != governance.TO_CONFIRM]
    if notes:
        dataset.attention = list(dict.fromkeys([*dataset.attention, *notes]))


def mark_notes_seen(dataset: Dataset, *, actor) -> bool:
    """The steward has looked at the record's notes: they go (a classification to confirm
    stays until a level is chosen), as a version and an audit event; False when none were."""
    check_can_edit(dataset, actor)
    lock_for_update(dataset)
    kept = [note for note in dataset.attention if note == governance.TO_CONFIRM]
    if kept == list(dataset.attention):
        return False
    before = snapshot(dataset)
    dataset.attention = kept
    changes = diff(before, snapshot(dataset))
    moment = touch(dataset, set(changes) - {"attention"})  # staff's own: no public change
    record_edit(dataset, changes, actor=actor, at=moment)
    return True
