"""The inventory read by scope, now or as of any moment: what exports, data.json, the public
inventory, the release queue and the dashboard read.

A scope selects within what the reader may read (visibility) and never widens it:

- public: published records at levels 1 to 3, what anyone may read;
- approved: every record whose release the committee approved, published or not (the approved
  inventory), at levels 1 to 3;
- inventory: every record the reader may read; restricted ones they may not read appear only as
  counts per department;
- full: every record, restricted ones included: coordinators and auditors only.

As of a moment, each record is read from the newest version it had by then (its snapshot), and
the same scope and visibility apply to what that version says the record was.
"""

from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, func, or_, select, true

from registry.accounts.models import Department, User
from registry.datasets.models import (
    Dataset,
    DatasetTheme,
    DatasetVersion,
    dataset_city_priorities,
)
from registry.datasets.snapshots import PLAIN, restore, snapshot_of_row
from registry.datasets.visibility import (
    RELEASABLE,
    Reading,
    level_readable_now,
    readable_by,
    strictest,
    versions_readable_by,
)
from registry.datasets.vocab import Classification
from registry.db import is_present
from registry.errors import PermissionDenied
from registry.extensions import db
from registry.performance.models import CityPriority
from registry.permissions import Permission, has_permission
from registry.reviews.workflow import DECIDED_STATES, State


class Scope(StrEnum):
    PUBLIC = "public"
    APPROVED = "approved"
    INVENTORY = "inventory"
    FULL = "full"


SCOPE_DESCRIPTIONS = {
    Scope.PUBLIC: "Published datasets: the open data catalog, what anyone may read.",
    Scope.APPROVED: "Every dataset whose release the governance committee approved, published "
    "or not yet: the approved inventory.",
    Scope.INVENTORY: "Every dataset you may read, in any state; restricted datasets you may not "
    "read are counted per department.",
    Scope.FULL: "Every dataset the city holds, restricted ones included (coordinators and "
    "auditors only).",
}


def may_use_scope(scope: Scope, reader) -> bool:
    if scope == Scope.FULL:
        return has_permission(reader, Permission.INVENTORY_FULL)
    return True


def check_scope(scope: Scope, reader) -> None:
    """A scope the reader may not use is refused, never quietly narrowed."""
    if not may_use_scope(scope, reader):
        raise PermissionDenied(
            "The full inventory, restricted records included, is for coordinators and auditors."
        )


def _condition(scope: Scope, reader, columns, visible):
    """The scope over some columns (a record's, or a version's), within what `visible` allows."""
    classification, status = columns
    if scope == Scope.PUBLIC:
        return classification.in_(RELEASABLE) & (status == str(State.PUBLISHED))
    if scope == Scope.APPROVED:
        return classification.in_(RELEASABLE) & status.in_(DECIDED_STATES) & visible
    if scope == Scope.INVENTORY:
        return visible
    return true()


def scope_condition(scope: Scope, reader):
    """The scope over current records."""
    check_scope(scope, reader)
    columns = (Dataset.classification, Dataset.status)
    return _condition(scope, reader, columns, readable_by(reader))


def department_id_of(code: str | None):
    if not code:
        return None
    return db.session.scalar(select(Department.id).where(Department.code == code.upper()))


def records(
    scope: Scope,
    reader,
    *,
    department: str | None = None,
    as_of: datetime | None = None,
    batch: int = 1000,
) -> Iterator[dict[str, Any]]:
    """The records in scope, as their snapshots (now, or as of a moment) and redacted for the
    reader, by department code and identifier. Streams in batches: memory stays flat."""
    check_scope(scope, reader)
    department_id = department_id_of(department)
    if department and department_id is None:
        return
    if as_of is None:
        yield from _current(scope, reader, department_id, batch)
        return
    reading = Reading(reader)
    for version, classification_now in _versions_as_of(scope, reader, as_of, department_id, batch):
        yield reading.redact(dict(version.snapshot), _AsItWas(version, classification_now))


def _current_rows():
    return (
        select(
            Dataset.__table__,
            Department.code.label("department_code"),
            User.name.label("steward_name"),
        )
        .join(Department, Department.id == Dataset.department_id)
        .outerjoin(User, User.id == Dataset.steward_id)
    )


def _snapshots(result, size: int | None = None) -> Iterator[tuple[Any, dict[str, Any]]]:
    """Table rows with their snapshots, each batch's themes and priorities in one query."""
    for rows in result.mappings().partitions(size):
        ids = [row["id"] for row in rows]
        themes, priorities = themes_of(ids), city_priorities_of(ids)
        for row in rows:
            themed = themes.get(row["id"], [])
            yield row, snapshot_of_row(row, themed, priorities.get(row["id"], []))


def _current(scope, reader, department_id, batch) -> Iterator[dict[str, Any]]:
    """Current records read as table rows (no objects), in batches, each batch's themes in one
    query: an export of a state-sized inventory neither waits on nor holds every record."""
    query = (
        _current_rows()
        .where(scope_condition(scope, reader))
        .order_by(Department.code, Dataset.identifier)
    )
    if department_id is not None:
        query = query.where(Dataset.department_id == department_id)
    result = db.session.execute(query.execution_options(yield_per=batch))
    reading = Reading(reader)
    for row, record in _snapshots(result):
        yield reading.redact(record, _AsItIs(row))


def current_snapshots(ids: list[int]) -> dict[int, dict[str, Any]]:
    """Some records' snapshots as they stand, by id, unredacted: for copies that are redacted
    whenever they are read (an export's rendered rows)."""
    if not ids:
        return {}
    result = db.session.execute(_current_rows().where(Dataset.id.in_(ids)))
    return {row["id"]: record for row, record in _snapshots(result, len(ids))}


def themes_of(ids: list[int]) -> dict[int, list[str]]:
    """Some records' themes by id, in the order a record's theme_rows load them."""
    found: dict[int, list[str]] = {}
    query = (
        select(DatasetTheme.dataset_id, DatasetTheme.theme)
        .where(DatasetTheme.dataset_id.in_(ids))
        .order_by(DatasetTheme.dataset_id, DatasetTheme.theme)
    )
    for dataset_id, theme in db.session.execute(query):
        found.setdefault(dataset_id, []).append(theme)
    return found


def city_priorities_of(ids: list[int]) -> dict[int, list[str]]:
    """Some records' city priorities by id, by name, in the city's order (as `supports`)."""
    found: dict[int, list[str]] = {}
    link = dataset_city_priorities.c
    query = (
        select(link.dataset_id, CityPriority.name)
        .join(CityPriority, CityPriority.id == link.priority_id)
        .where(link.dataset_id.in_(ids))
        .order_by(link.dataset_id, CityPriority.position)
    )
    for dataset_id, name in db.session.execute(query):
        found.setdefault(dataset_id, []).append(name)
    return found


class _AsItIs:
    """A record's row, for redact()'s questions."""

    def __init__(self, row) -> None:
        self.department_id = row["department_id"]
        self.classification = row["classification"]
        self.proposed_governance = row["proposed_governance"]


def _latest_versions(moment: datetime):
    return (
        select(DatasetVersion.dataset_id, func.max(DatasetVersion.version).label("version"))
        .where(DatasetVersion.changed_at <= moment)
        .group_by(DatasetVersion.dataset_id)
        .subquery("latest")
    )


def _versions_as_of(scope, reader, moment, department_id, batch) -> Iterator[tuple]:
    """Each record's newest version up to the moment, with its classification today: read by
    what the version says it was then and by today's level (level_readable_now)."""
    latest = _latest_versions(moment)
    columns = (DatasetVersion.classification, DatasetVersion.status)
    query = (
        select(DatasetVersion, Dataset.classification)
        .join(
            latest,
            and_(
                latest.c.dataset_id == DatasetVersion.dataset_id,
                latest.c.version == DatasetVersion.version,
            ),
        )
        .join(Department, Department.id == DatasetVersion.department_id)
        .join(Dataset, Dataset.id == DatasetVersion.dataset_id)
        .where(
            _condition(scope, reader, columns, versions_readable_by(reader)),
            level_readable_now(reader),
        )
        .order_by(Department.code, Dataset.identifier)
    )
    if department_id is not None:
        query = query.where(DatasetVersion.department_id == department_id)
    yield from db.session.execute(query.execution_options(yield_per=batch)).tuples()


class _AsItWas:
    """A record as a version says it was, for redact()'s questions, at the stricter of its
    classification then and today."""

    def __init__(self, version: DatasetVersion, classification_now: str) -> None:
        values = version.snapshot
        self.department_id = version.department_id
        self.classification = strictest(values["classification"], classification_now)
        self.proposed_governance = values.get("proposed_governance")


def restricted_counts(
    reader, *, department: str | None = None, as_of: datetime | None = None
) -> dict[str, int]:
    """Restricted records the reader may not read, counted per department code (the inventory
    scope's aggregate). Only ever by department: a finer count would say what they are about."""
    restricted = str(Classification.RESTRICTED)
    if as_of is None:
        query = (
            select(Department.code, func.count())
            .join(Dataset, Dataset.department_id == Department.id)
            .where(Dataset.classification == restricted, ~readable_by(reader))
        )
    else:
        # As of a moment: the records that existed then, restricted then or today, that the
        # reader may not read by what they said then and by today's level.
        latest = _latest_versions(as_of)
        query = (
            select(Department.code, func.count())
            .join(DatasetVersion, DatasetVersion.department_id == Department.id)
            .join(
                latest,
                and_(
                    latest.c.dataset_id == DatasetVersion.dataset_id,
                    latest.c.version == DatasetVersion.version,
                ),
            )
            .join(Dataset, Dataset.id == DatasetVersion.dataset_id)
            .where(
                or_(
                    DatasetVersion.classification == restricted,
                    Dataset.classification == restricted,
                ),
                ~and_(versions_readable_by(reader), level_readable_now(reader)),
            )
        )
    if department:
        query = query.where(Department.code == department.upper())
    return dict(db.session.execute(query.group_by(Department.code)).tuples().all())


def is_current(moment: datetime) -> bool:
    """Whether the records as they stand are the inventory as it stood at `moment`: the moment
    is now (db.is_present: a change committed since the request began is part of its now; it
    had sent a page to rebuild 300,000 records from their versions, 53 s), or no record changed
    after it (every change writes a version). Aggregates of such a moment read the records
    themselves, off their indexes, instead of rebuilding each from its versions."""
    if is_present(moment):
        return True
    last_change = db.session.scalar(select(func.max(DatasetVersion.changed_at)))
    return last_change is None or moment >= last_change


def every_record_as_of(moment: datetime, batch: int = 1000) -> Iterator[Dataset]:
    """Every record the city held at a moment, restricted ones included, as unsaved Dataset
    objects built from the newest version each had by then, so that the model's derived
    statuses (overdue, published on time, metadata complete...) answer for that moment.

    For aggregate figures only (the dashboard's counts, which the design lets anyone see): the
    objects carry no steward and are never shown or redacted record by record."""
    latest = _latest_versions(moment)
    query = (
        select(DatasetVersion, Department.code, Dataset.classification)
        .join(
            latest,
            and_(
                latest.c.dataset_id == DatasetVersion.dataset_id,
                latest.c.version == DatasetVersion.version,
            ),
        )
        .join(Department, Department.id == DatasetVersion.department_id)
        .join(Dataset, Dataset.id == DatasetVersion.dataset_id)
        .order_by(DatasetVersion.dataset_id)
    )
    for version, code, now in db.session.execute(query.execution_options(yield_per=batch)):
        yield as_record(version, code, classification_now=now)


# What an unsaved record built from a snapshot gets (the version column is the mapper's own).
RESTORED = tuple(name for name in PLAIN if name not in {"version", "classification", "status"})


def as_record(
    version: DatasetVersion, department_code: str, *, classification_now: str | None = None
) -> Dataset:
    """An unsaved Dataset as a version says it was (its classification in force, not a
    proposal), for the model's derived statuses; at the stricter of that classification and
    today's, so that a record restricted since counts as restricted in every past figure."""
    values = restore(version.snapshot)
    record = Dataset(
        **{name: values.get(name) for name in RESTORED},
        department_id=version.department_id,
        classification=strictest(version.classification, classification_now),
        status=version.status,
    )
    record.id = version.dataset_id
    record.department_code = department_code
    record.city_priority_names = list(version.snapshot.get("city_priorities") or [])
    return record
