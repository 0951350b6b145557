"""A record's DatasetOut dump, kept in each process for as long as what it is made of holds.

Loading and dumping a page of 25 records field by field is most of what a listing costs once
its query reads an index: measured on the demo city (median of 50), loading and dumping 25
records takes 5.6 ms, dumping them once loaded 1.4 ms, and reading their briefs and copying
their kept dumps 0.6 ms, where the listing's target is 25 ms. A dump
is made of the record's own row, whose version the ORM moves on every change (its themes and
city priorities are written only with it), and of names kept in other rows (its department's,
its steward's, its city priorities'). It is kept under the record's id and version and the
generation of those names (registry.derived.NAMES), which the session's flush events move
when one of them changes: the one freshness rule of everything kept (registry.derived).
Redaction for the reader is applied to a copy afterwards (datasets.visibility.redact), never
kept.

The API's listing reads a page as briefs: what redaction and the next cursor ask of a record,
and the key of its dump, as plain rows (no objects built, no JSON columns decoded); only the
records whose dump is not kept are loaded whole, to be dumped.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.sql import Select

from registry.datasets.models import Dataset
from registry.datasets.schemas import DatasetOut
from registry.db import in_order_of
from registry.derived import NAMES, generation
from registry.extensions import db

SIZE = 4096
_OUT = DatasetOut()


def key(dataset_id: int, version: int, names: int) -> Hashable:
    """A dump's key: the record's, its version's, and the names' generation (`names`)."""
    return (dataset_id, version, names)


def fingerprint(dataset: Dataset, names: int) -> Hashable:
    """A loaded record's key."""
    return key(dataset.id, dataset.version, names)


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

    def __init__(self, row, names: int) -> None:
        # A brief_select() row holds the columns in BRIEFED's order.
        for name, value in zip(BRIEFED, row, strict=True):
            setattr(self, name, value)
        self.key = key(self.id, self.version, names)


def brief_select() -> Select:
    """The columns of a brief, for a page's query to order, filter and limit."""
    return select(*(getattr(Dataset, name) for name in BRIEFED))


def briefs(statement: Select) -> list[Brief]:
    """The briefs a brief_select() statement reads, in its order. The names' generation is
    read first, so a dump kept under it is never of older names."""
    names = generation(NAMES)
    return [Brief(row, names) for row in db.session.execute(statement)]


def briefs_of(ids: list[int]) -> list[Brief]:
    """The briefs of some records, in the order of their ids."""
    if not ids:
        return []
    return in_order_of(ids, briefs(brief_select().where(Dataset.id.in_(ids))))


class _Kept:
    def __init__(self, size: int = SIZE) -> None:
        self.size, self.dumps, self.lock = size, OrderedDict(), threading.Lock()

    def find(self, wanted: Hashable) -> dict[str, Any] | None:
        with self.lock:
            found = self.dumps.get(wanted)
            if found is not None:
                self.dumps.move_to_end(wanted)
        return found

    def keep(self, dataset: Dataset, names: int) -> dict[str, Any]:
        made = _OUT.dump(dataset)
        with self.lock:
            self.dumps[fingerprint(dataset, names)] = made
            while len(self.dumps) > self.size:
                self.dumps.popitem(last=False)
        return made


def _kept() -> _Kept:
    # Kept per app, as one app serves one database.
    return current_app.extensions.setdefault("registry_dumps", _Kept())


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
        names = page[0].key[2]  # the generation the page's briefs were read at
        for dataset in db.session.scalars(select(Dataset).where(Dataset.id.in_(missing))):
            found[dataset.id] = (kept.keep(dataset, names), dataset)
    # A copy of each: callers redact and may change the top level; nested values are only read.
    return [(dict(pair[0]), pair[1]) for pair in found.values() if pair is not None]
