"""Registering and editing datasets: every rule checked on the record as it would stand, every
change kept as a version and an audit event in the same transaction."""

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from registry.accounts.models import Department, User
from registry.accounts.services import active_users_with_role, find_user_by_email
from registry.accounts.signals import departments_left
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets import governance, search
from registry.datasets.merge import Edit, merge_edit
from registry.datasets.models import CityPriority, Dataset, DatasetTheme, DatasetVersion
from registry.datasets.permissions import can_edit_dataset, creatable_department_ids
from registry.datasets.schemas import DatasetIn, DatasetPatch
from registry.datasets.signals import proposal_opened
from registry.datasets.snapshots import BOOKKEEPING, diff, digest, snapshot
from registry.datasets.visibility import readable_by
from registry.datasets.vocab import DEFAULT_ACCESS_LEVEL, AccessLevel, Classification
from registry.db import utcnow
from registry.errors import Conflict, NotFound, PermissionDenied
from registry.extensions import db
from registry.notifications.services import notify
from registry.permissions import Role
from registry.reviews.workflow import GOVERNANCE_FIELDS, INITIAL_STATE, GovernanceEdit
from registry.validation import load_input, raise_for

# Schemas hold no state between loads: built once, not for every record of an import.
DATASET_IN, DATASET_PATCH = DatasetIn(), DatasetPatch(partial=True)

IDENTIFIER_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"

# Fields stored as they load; department, steward, themes and priorities are resolved apart.
PLAIN_FIELDS = [
    name
    for name in DatasetIn().fields
    if name not in {"department", "steward", "themes", "city_priorities"}
]

ALLOWED_ACCESS = {
    Classification.PUBLIC: set(AccessLevel),
    Classification.INTERNAL: set(AccessLevel),
    Classification.SENSITIVE: {AccessLevel.RESTRICTED_PUBLIC, AccessLevel.NON_PUBLIC},
    Classification.RESTRICTED: {AccessLevel.NON_PUBLIC},
}


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


def _new_identifier(department: Department) -> str:
    """Short, URL-safe, stable; records are never deleted, so an identifier is never reused."""
    while True:
        candidate = f"{department.code.lower()}-" + "".join(
            secrets.choice(IDENTIFIER_ALPHABET) for _ in range(6)
        )
        if db.session.scalar(select(Dataset.id).where(Dataset.identifier == candidate)) is None:
            return candidate


def _resolve_department(code: str, actor, errors: dict) -> Department | None:
    department = db.session.scalar(select(Department).where(Department.code == code))
    allowed = creatable_department_ids(actor)
    if department is None:
        errors["department"] = [f"There is no department with the code {code}."]
    elif allowed is not None and department.id not in allowed:
        errors["department"] = ["You can register and edit datasets only for your own department."]
    return department


def _resolve_steward(email: str | None, department: Department | None, errors: dict) -> User | None:
    if email is None:
        return None
    user = find_user_by_email(email)
    if user is None or not user.active or Role.STEWARD not in user.role_set:
        errors["steward"] = ["Name an active data steward by their email address."]
        return None
    if department is not None and not _stewards(user, department):
        errors["steward"] = [f"{user.name} is not a steward of {department.name}."]
    return user


def city_priority_names() -> list[str]:
    """The city's strategic priorities, in the coordinator's order."""
    query = select(CityPriority.name).order_by(CityPriority.position, CityPriority.name)
    return list(db.session.scalars(query))


def _resolve_priorities(names: list[str] | None, errors: dict) -> list[CityPriority] | None:
    """The city's priorities a record supports, by name (in any case)."""
    if names is None:
        return None
    known = {p.name.lower(): p for p in db.session.scalars(select(CityPriority))}
    unknown = [name for name in names if name.lower() not in known]
    if unknown:
        listed = ", ".join(p.name for p in sorted(known.values(), key=lambda p: p.position))
        errors["city_priorities"] = [
            f"Not one of the city's priorities: {', '.join(unknown)}. "
            + (f"Use {listed}." if listed else "The coordinator has listed none yet.")
        ]
        return None
    return [known[name.lower()] for name in names]


def _stewards(user, department: Department) -> bool:
    return Role.STEWARD in user.role_set and department.id in [d.id for d in user.departments]


def record_problems(values: dict[str, Any]) -> dict[str, list[str]]:
    """Rules across fields, checked on the record as it would stand after the change."""
    errors: dict[str, list[str]] = {}
    classification = Classification(values["classification"])
    access = AccessLevel(values["access_level"])
    if access not in ALLOWED_ACCESS[classification]:
        allowed = " or ".join(sorted(ALLOWED_ACCESS[classification]))
        errors["access_level"] = [f"A {classification} dataset must be {allowed}."]
    if access != AccessLevel.PUBLIC and not values.get("rights"):
        errors["rights"] = [
            "Say which law or policy restricts access: it is required unless access is public."
        ]
    if values.get("contains_pii") and not values.get("pii_kinds"):
        errors["pii_kinds"] = ["Say which kinds of personal information the dataset holds."]
    if not values.get("contains_pii") and values.get("pii_kinds"):
        errors["pii_kinds"] = ["List kinds of personal information only if it contains some."]
    return errors


def _apply(dataset: Dataset, data: dict[str, Any]) -> None:
    for name in PLAIN_FIELDS:
        if name in data and name != "version":
            value = data[name]
            if name == "distributions":
                value = [
                    {key: item[key] for key in item if item[key] is not None} for item in value
                ]
            setattr(dataset, name, str(value) if hasattr(value, "value") else value)
    if "themes" in data:
        dataset.theme_rows = [DatasetTheme(theme=theme) for theme in data["themes"]]
    if data.get("city_priorities_resolved") is not None:
        dataset.supports = data["city_priorities_resolved"]


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


def _keep_version(
    dataset: Dataset,
    *,
    actor,
    action: str,
    changes: dict,
    note: str | None = None,
    at: datetime | None = None,
) -> DatasetVersion:
    version = DatasetVersion(
        dataset_id=dataset.id,
        version=dataset.version,
        changed_at=at or dataset.updated_at,
        changed_by_id=getattr(actor, "id", None),
        changed_by_label=getattr(actor, "email", None) or "system",
        action=action,
        snapshot=snapshot(dataset),
        changes=changes,
        note=note,
        classification=dataset.classification,
        status=dataset.status,
        department_id=dataset.department_id,
    )
    db.session.add(version)
    return version


def check_can_create(actor) -> None:
    if creatable_department_ids(actor) == []:
        raise PermissionDenied("Your role cannot register datasets.")


def check_can_edit(dataset: Dataset, actor) -> None:
    if not can_edit_dataset(actor, dataset):
        raise PermissionDenied("You can edit only your own department's datasets.")


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
    return _keep_version(dataset, actor=actor, action=action, changes=changes, note=note, at=at)


def create_dataset(
    raw: dict[str, Any],
    *,
    actor,
    identifier: str | None = None,
    attention: list[str] | None = None,
) -> Dataset:
    """Registers a draft. `identifier` keeps one given by another registry's export (the
    importer checks its form); it must be new here. `attention` is what its steward must look
    at (the importer's notes: a classification to confirm, values it could not read)."""
    check_can_create(actor)
    data, errors = load_input(DATASET_IN, raw)
    if identifier is not None and db.session.scalar(
        select(Dataset.id).where(Dataset.identifier == identifier)
    ):
        errors["identifier"] = ["Another dataset already has this identifier."]
    department = None
    if "department" in data:
        department = _resolve_department(data["department"], actor, errors)
    if "steward" not in data and department is not None and _stewards(actor, department):
        data["steward"] = actor.email  # a steward registering their own data looks after it
    steward = _resolve_steward(data.get("steward"), department, errors)
    data["city_priorities_resolved"] = _resolve_priorities(data.get("city_priorities"), errors)
    if "classification" in data:
        data["access_level"] = (
            data.get("access_level") or DEFAULT_ACCESS_LEVEL[data["classification"]]
        )
        rule_errors = record_problems(data)
    else:
        rule_errors = {}
    raise_for(errors, rule_errors)
    now = utcnow()
    dataset = Dataset(
        identifier=identifier or _new_identifier(department),
        department=department,
        steward=steward,
        status=str(INITIAL_STATE),
        created_at=now,
        updated_at=now,
        attention=list(attention or []),
    )
    _apply(dataset, data)
    db.session.add(dataset)
    db.session.flush()
    after = snapshot(dataset)
    kept = _keep_version(dataset, actor=actor, action="create", changes={})
    search.index_dataset(dataset)
    record_event(
        Tag.DATASET_CREATE,
        actor=actor,
        subject_type="dataset",
        subject_id=dataset.identifier,
        after={key: value for key, value in after.items() if key not in BOOKKEEPING},
        details={"snapshot_sha256": digest(kept.snapshot)},
    )
    return dataset


def update_dataset(
    dataset: Dataset, raw: dict[str, Any], *, actor, expected_version: int | None = None
) -> Edit:
    """Applies an edit based on `version` (in the body, or given as expected_version from an
    If-Match header). Based on an older version, it applies only what the editor changed
    (merge_edit): never an overwrite of a colleague's work. The record is locked first, so an
    edit that waited on another merges with what that one saved."""
    check_can_edit(dataset, actor)
    lock_for_update(dataset)
    data, errors = load_input(DATASET_PATCH, raw)
    if "access_level" in data and data["access_level"] is None:
        del data["access_level"]  # "the default": decided below from the classification
    based_on = data.pop("version", None) or expected_version
    kept_theirs: list[str] = []
    if based_on is None and "version" not in errors:
        errors["version"] = [
            "Send the version this edit is based on (the version field or an If-Match header)."
        ]
    elif based_on is not None and based_on != dataset.version and not errors:
        data, kept_theirs = merge_edit(dataset, data, based_on)
    department = dataset.department
    if "department" in data:
        department = _resolve_department(data["department"], actor, errors)
    steward = dataset.steward
    if "steward" in data or "department" in data:
        steward_email = data.get("steward", steward.email if steward else None)
        steward = _resolve_steward(steward_email, department, errors)
    if "city_priorities" in data:
        data["city_priorities_resolved"] = _resolve_priorities(data["city_priorities"], errors)
    if "classification" in data and dataset.rights == governance.UNCONFIRMED_RIGHTS:
        data.setdefault("rights", None)  # the placeholder goes once a level is chosen
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
    if "classification" in data and governance.TO_CONFIRM in dataset.attention:
        dataset.attention = [note for note in dataset.attention if note != governance.TO_CONFIRM]
    _apply(dataset, data)
    dataset.department = department
    dataset.steward = steward
    if proposal is not None:
        dataset.proposed_governance = proposal
        dataset.review_round += 1
    after_values = snapshot(dataset)
    changes = diff(before, after_values)
    outcome = Edit(dataset, kept_theirs)
    if not changes:
        return outcome
    moment = touch(dataset, changes)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise Conflict(
            "This dataset was changed by someone else at the same moment. Reload it and apply "
            "your edit again."
        ) from exc
    kept = _keep_version(dataset, actor=actor, action="edit", changes=changes, at=moment)
    search.index_dataset(dataset)
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
            **({"merged": kept_theirs} if kept_theirs else {}),
        },
    )
    if proposal is not None:
        proposal_opened.send(dataset, actor=actor, note=None, via="edit")
        outcome.proposal_opened = True
    return outcome


@departments_left.connect
def release_stewardship(user: User, *, department_ids: list[int], actor) -> None:
    """A steward who leaves a department no longer looks after its records (nor hears about
    them): each becomes unstewarded, as a version and an audit event, and the coordinators are
    told to name a new steward."""
    records = db.session.scalars(
        select(Dataset).where(
            Dataset.steward_id == user.id, Dataset.department_id.in_(department_ids)
        )
    ).all()
    for dataset in records:
        before = snapshot(dataset)
        dataset.steward = None
        dataset.updated_at = utcnow()
        db.session.flush()
        changes = diff(before, snapshot(dataset))
        kept = _keep_version(dataset, actor=actor, action="edit", changes=changes, note=None)
        record_event(
            Tag.DATASET_UPDATE,
            actor=actor,
            subject_type="dataset",
            subject_id=dataset.identifier,
            before={key: change["from"] for key, change in changes.items()},
            after={key: change["to"] for key, change in changes.items()},
            details={
                "version": dataset.version,
                "reason": "steward left the department",
                "snapshot_sha256": digest(kept.snapshot),
            },
        )
        notify(
            active_users_with_role(Role.COORDINATOR),
            f"{dataset.title}: no steward",
            f"{user.name} no longer belongs to {dataset.department.name}, so {dataset.title} "
            "has no steward. Name one on the record.",
            link=f"/datasets/{dataset.identifier}",
            kind="Needs a steward",
        )
