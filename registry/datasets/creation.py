"""Registering drafts, one from a form or many from an import, by one path: each record is
prepared (read through DatasetIn, resolved, every rule checked, nothing written), then the
prepared records are registered together (their rows, first versions and audit events
written in a few statements for the lot; their search documents at commit). A form registers
a batch of one."""

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text

from registry.accounts.models import Department, User
from registry.audit.services import Event, record_events
from registry.audit.tags import Tag
from registry.datasets.models import Dataset, DatasetTheme, DatasetVersion
from registry.datasets.permissions import creatable_department_ids
from registry.datasets.schemas import DatasetIn, DatasetPatch
from registry.datasets.snapshots import BOOKKEEPING, digest, snapshot
from registry.datasets.themes import city_themes
from registry.datasets.vocab import DEFAULT_ACCESS_LEVEL, AccessLevel, Classification
from registry.db import utcnow
from registry.errors import PermissionDenied
from registry.extensions import db
from registry.performance.models import CityPriority
from registry.permissions import Role
from registry.reviews.workflow import INITIAL_STATE
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


class Lookups:
    """What preparing records reads from the database, read once for all of them: departments
    by code, people by email, the city's priorities, where the actor may register."""

    def __init__(self, actor) -> None:
        self.actor = actor
        self._departments: dict[str, Department | None] = {}
        self._people: dict[str, User | None] = {}
        self._priorities: dict[str, CityPriority] | None = None
        self._themes: dict[str, str] | None = None
        self._allowed: list[int] | bool | None = False  # False: not read yet

    def department(self, code: str) -> Department | None:
        if code not in self._departments:
            self._departments[code] = db.session.scalar(
                select(Department).where(Department.code == code)
            )
        return self._departments[code]

    def person(self, email: str) -> User | None:
        email = email.strip().lower()
        if email not in self._people:
            self._people[email] = db.session.scalar(select(User).where(User.email == email))
        return self._people[email]

    def priorities(self) -> dict[str, CityPriority]:
        if self._priorities is None:
            known = db.session.scalars(select(CityPriority))
            self._priorities = {priority.name.lower(): priority for priority in known}
        return self._priorities

    def themes(self) -> dict[str, str]:
        """The city's themes by their names in lower case."""
        if self._themes is None:
            self._themes = {name.lower(): name for name in city_themes()}
        return self._themes

    def allowed(self) -> list[int] | None:
        """None: any department."""
        if self._allowed is False:
            self._allowed = creatable_department_ids(self.actor)
        return self._allowed  # type: ignore[return-value]


def check_can_create(actor) -> None:
    if creatable_department_ids(actor) == []:
        raise PermissionDenied("Your role cannot register datasets.")


def resolve_department(lookups: Lookups, code: str, errors: dict) -> Department | None:
    department = lookups.department(code)
    allowed = lookups.allowed()
    if department is None:
        errors["department"] = [f"There is no department with the code {code}."]
    elif allowed is not None and department.id not in allowed:
        errors["department"] = ["You can register and edit datasets only for your own department."]
    return department


def resolve_steward(
    lookups: Lookups, email: str | None, department: Department | None, errors: dict
) -> User | None:
    if email is None:
        return None
    user = lookups.person(email)
    if user is None or not user.active or Role.STEWARD not in user.role_set:
        errors["steward"] = ["Name an active data steward by their email address."]
        return None
    if department is not None and not stewards(user, department):
        errors["steward"] = [f"{user.name} is not a steward of {department.name}."]
    return user


def resolve_priorities(
    lookups: Lookups, names: list[str] | None, errors: dict
) -> list[CityPriority] | None:
    """The city's priorities a record supports, by name (in any case)."""
    if names is None:
        return None
    known = lookups.priorities()
    unknown = [name for name in names if name.lower() not in known]
    if unknown:
        listed = ", ".join(p.name for p in sorted(known.values(), key=lambda p: p.position))
        errors["city_priorities"] = [
            f"Not one of the city's priorities: {', '.join(unknown)}. "
            + (f"Use {listed}." if listed else "The coordinator has listed none yet.")
        ]
        return None
    return [known[name.lower()] for name in names]


def resolve_themes(lookups: Lookups, data: dict[str, Any], errors: dict) -> None:
    """A record's themes as the city spells them; one the city does not have is refused."""
    if not data.get("themes"):
        return
    known = lookups.themes()
    unknown = [name for name in data["themes"] if name.lower() not in known]
    if unknown:
        errors["themes"] = [
            f"Not one of the city's themes: {', '.join(unknown)}. Use "
            + ", ".join(known.values())
            + " (the coordinator can add others)."
        ]
        return
    data["themes"] = [known[name.lower()] for name in data["themes"]]


def stewards(user, department: Department) -> bool:
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


def apply_fields(dataset: Dataset, data: dict[str, Any]) -> None:
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


def keep_version(
    dataset: Dataset,
    *,
    actor,
    action: str,
    changes: dict,
    note: str | None = None,
    at: datetime | None = None,
) -> DatasetVersion:
    """The record's version as it stands."""
    version = DatasetVersion(
        **version_row(dataset, actor=actor, action=action, changes=changes, note=note, at=at)
    )
    db.session.add(version)
    return version


def version_row(
    dataset: Dataset,
    *,
    actor,
    action: str,
    changes: dict,
    note: str | None = None,
    at: datetime | None = None,
    values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A version's columns (`values`: the record's snapshot, when already taken)."""
    return {
        "dataset_id": dataset.id,
        "version": dataset.version,
        "changed_at": at or dataset.updated_at,
        "changed_by_id": getattr(actor, "id", None),
        "changed_by_label": getattr(actor, "email", None) or "system",
        "action": action,
        "snapshot": values if values is not None else snapshot(dataset),
        "changes": changes,
        "note": note,
        "classification": dataset.classification,
        "status": dataset.status,
        "department_id": dataset.department_id,
    }


def prepare_dataset(
    raw: dict[str, Any],
    *,
    lookups: Lookups,
    identifier: str | None = None,
    attention: list[str] | None = None,
) -> Dataset:
    """A draft read and checked, not yet written: ValidationError with every problem, or the
    record for register_datasets(). `identifier` keeps one given by another registry's export
    (the importer checks its form); it must be new here. `attention` is what its steward must
    look at (the importer's notes: a classification to confirm, values it could not read)."""
    actor = lookups.actor
    data, errors = load_input(DATASET_IN, raw)
    if identifier is not None and db.session.scalar(
        select(Dataset.id).where(Dataset.identifier == identifier)
    ):
        errors["identifier"] = ["Another dataset already has this identifier."]
    department = None
    if "department" in data:
        department = resolve_department(lookups, data["department"], errors)
    if "steward" not in data and department is not None and stewards(actor, department):
        data["steward"] = actor.email  # a steward registering their own data looks after it
    steward = resolve_steward(lookups, data.get("steward"), department, errors)
    data["city_priorities_resolved"] = resolve_priorities(
        lookups, data.get("city_priorities"), errors
    )
    resolve_themes(lookups, data, errors)
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
        identifier=identifier,
        department=department,
        steward=steward,
        status=str(INITIAL_STATE),
        created_at=now,
        updated_at=now,
        attention=list(attention or []),
    )
    # Known empty, so writing the first version reads no collection back.
    dataset.theme_rows, dataset.supports = [], []
    apply_fields(dataset, data)
    return dataset


def register_datasets(records: list[Dataset], *, actor) -> None:
    """Writes prepared records: their rows and first versions, and one audit event each,
    chained in order (a caller registering many batches lets go of each batch's records: see
    transfer.rows.Pending). Their search documents are derived at commit (datasets.search)."""
    if not records:
        return
    _give_identifiers([record for record in records if record.identifier is None])
    for dataset, given in zip(records, next_ids(Dataset, len(records)), strict=True):
        dataset.id = given
    db.session.add_all(records)
    db.session.flush()
    events, versions = [], []
    for dataset in records:
        after = snapshot(dataset)
        versions.append(
            version_row(dataset, actor=actor, action="create", changes={}, values=after)
        )
        events.append(
            Event(
                Tag.DATASET_CREATE,
                "dataset",
                dataset.identifier,
                after={key: value for key, value in after.items() if key not in BOOKKEEPING},
                details={"snapshot_sha256": digest(after)},
            )
        )
    # Plain INSERTs of the table: the session holds no version objects to write or let go of.
    db.session.execute(DatasetVersion.__table__.insert(), versions)
    record_events(events, actor=actor)


def _give_identifiers(records: Iterable[Dataset]) -> None:
    """Short, URL-safe, stable; records are never deleted, so an identifier is never reused.
    Candidates for a batch are checked against the registry in one query."""
    waiting = list(records)
    while waiting:
        candidates = {
            f"{record.department.code.lower()}-"
            + "".join(secrets.choice(IDENTIFIER_ALPHABET) for _ in range(6)): record
            for record in waiting
        }
        taken = set(
            db.session.scalars(
                select(Dataset.identifier).where(Dataset.identifier.in_(list(candidates)))
            )
        )
        for candidate, record in candidates.items():
            if candidate not in taken:
                record.identifier = candidate
        waiting = [record for record in waiting if record.identifier is None]


def next_ids(model, count: int) -> list[int]:
    """Ids for `count` new rows, given ahead so the ORM writes them with one executemany
    rather than one statement a row (SQLite cannot return a many-row INSERT's keys in order)
    or one vast INSERT ... RETURNING (which psycopg parses slowly). On PostgreSQL they come
    from the table's sequence. A writer's SQLite transaction holds the write lock from BEGIN
    (IMMEDIATE, registry.db), so the largest id cannot move under it."""
    if db.session.get_bind().dialect.name == "postgresql":
        drawn = text(
            "SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"
        )
        return list(db.session.scalars(drawn, {"table": model.__tablename__, "n": count}))
    largest = db.session.scalar(select(func.max(model.id))) or 0
    if db.session.scalar(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")):
        issued = text("SELECT seq FROM sqlite_sequence WHERE name = :table")  # AUTOINCREMENT
        largest = max(largest, db.session.scalar(issued, {"table": model.__tablename__}) or 0)
    return list(range(largest + 1, largest + 1 + count))
