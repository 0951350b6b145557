"""A record's DatasetOut dump, kept in each process for as long as what it is made of holds.

Dumping a page of 25 records field by field is most of what a listing costs once its query
reads an index. What a dump says comes from the record's own row (whose version the ORM moves
on every change), its themes and city priorities, its department's code and name and its
steward's email and name; the key is made of exactly those, so a kept dump is never of another
state of any of them. Redaction for the reader is applied to a copy afterwards
(datasets.visibility.redact), never kept.

The API's listing reads a page as briefs: the key's parts and what redaction and the next
cursor ask of a record, as plain rows (no objects built, no JSON columns decoded); only the
records whose dump is not kept are loaded whole, to be dumped.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.sql import Select

from registry.accounts.models import Department, User
from registry.datasets.models import Dataset
from registry.datasets.queries import city_priorities_of, themes_of
from registry.datasets.schemas import DatasetOut
from registry.extensions import db

SIZE = 4096
_OUT = DatasetOut()


def key(
    dataset_id: int,
    version: int,
    updated_at: datetime,
    department: tuple[str, str],
    steward: tuple[str, str] | None,
    themes: Iterable[str],
    priorities: Iterable[str],
) -> Hashable:
    """Everything a dump is made of (of a city priority, only its name, which is unique)."""
    return (dataset_id, version, updated_at, department, steward, tuple(themes), tuple(priorities))


def fingerprint(dataset: Dataset) -> Hashable:
    """A loaded record's key."""
    steward = dataset.steward
    return key(
        dataset.id,
        dataset.version,
        dataset.updated_at,
        (dataset.department.code, dataset.department.name),
        (steward.email, steward.name) if steward is not None else None,
        (row.theme for row in dataset.theme_rows),
        (priority.name for priority in dataset.supports),
    )


# The record's own columns a brief keeps: what visibility, redaction and the cursors ask of it.
BRIEFED = (
    "classification",
    "department_id",
    "id",
    "proposed_governance",
    "release_priority",
    "status",
    "title",
    "updated_at",
    "version",
)


class Brief:
    """What a listing reads of a record on its page, in place of the record: the attributes
    visibility, redaction and the cursors ask for, and the key of its dump."""

    __slots__ = (*BRIEFED, "key")

    def __init__(self, row, themes: list[str], priorities: list[str]) -> None:
        for name in BRIEFED:
            setattr(self, name, getattr(row, name))
        steward = (row.steward_email, row.steward_name) if row.steward_id is not None else None
        department = (row.department_code, row.department_name)
        self.key = key(row.id, row.version, row.updated_at, department, steward, themes, priorities)


def brief_select() -> Select:
    """The columns of a brief, for a page's query to order, filter and limit."""
    return (
        select(
            *(getattr(Dataset, name) for name in BRIEFED),
            Dataset.steward_id,
            Department.code.label("department_code"),
            Department.name.label("department_name"),
            User.email.label("steward_email"),
            User.name.label("steward_name"),
        )
        .join(Department, Department.id == Dataset.department_id)
        .outerjoin(User, User.id == Dataset.steward_id)
    )


def briefs(statement: Select) -> list[Brief]:
    """The briefs a brief_select() statement reads, in its order, with their themes and city
    priorities (read as a snapshot reads them: datasets.queries)."""
    rows = db.session.execute(statement).all()
    ids = [row.id for row in rows]
    themes = themes_of(ids) if ids else {}
    priorities = city_priorities_of(ids) if ids else {}
    return [Brief(row, themes.get(row.id, []), priorities.get(row.id, [])) for row in rows]


def briefs_of(ids: list[int]) -> list[Brief]:
    """The briefs of some records, in the order of their ids."""
    if not ids:
        return []
    by_id = {brief.id: brief for brief in briefs(brief_select().where(Dataset.id.in_(ids)))}
    return [by_id[number] for number in ids if number in by_id]


class _Kept:
    def __init__(self, size: int = SIZE) -> None:
        self.size, self.dumps, self.lock = size, OrderedDict(), threading.Lock()

    def find(self, wanted: Hashable) -> dict[str, Any] | None:
        with self.lock:
            found = self.dumps.get(wanted)
            if found is not None:
                self.dumps.move_to_end(wanted)
        return found

    def keep(self, dataset: Dataset) -> dict[str, Any]:
        made = _OUT.dump(dataset)
        with self.lock:
            self.dumps[fingerprint(dataset)] = made
            while len(self.dumps) > self.size:
                self.dumps.popitem(last=False)
        return made

    def dump(self, dataset: Dataset) -> dict[str, Any]:
        found = self.find(fingerprint(dataset))
        # A copy: callers redact and may change the top level; nested values are only read.
        return dict(found if found is not None else self.keep(dataset))


def _kept() -> _Kept:
    # Kept per app, as one app serves one database.
    return current_app.extensions.setdefault("registry_dumps", _Kept())


def dumped(datasets: Iterable[Dataset]) -> list[dict[str, Any]]:
    """DatasetOut dumps of loaded records, as DatasetOut().dump() gives them."""
    kept = _kept()
    return [kept.dump(dataset) for dataset in datasets]


def dumped_briefs(page: list[Brief]) -> list[tuple[dict[str, Any], Brief | Dataset]]:
    """DatasetOut dumps of the records of a page of briefs, in its order, each with what it is
    a dump of: the kept ones with their brief, the others loaded (in one query), dumped and
    kept. A record changed since its brief was read is dumped as it now is, paired with the
    record loaded, so that the caller asks visibility and redaction of that state."""
    kept = _kept()
    found: dict[int, tuple[dict[str, Any], Brief | Dataset] | None] = {}
    for brief in page:
        dump = kept.find(brief.key)
        found[brief.id] = (dump, brief) if dump is not None else None
    missing = [number for number, pair in found.items() if pair is None]
    if missing:
        for dataset in db.session.scalars(select(Dataset).where(Dataset.id.in_(missing))):
            found[dataset.id] = (kept.keep(dataset), dataset)
    # A copy of each: callers redact and may change the top level; nested values are only read.
    return [(dict(pair[0]), pair[1]) for pair in found.values() if pair is not None]
