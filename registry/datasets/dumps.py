"""A record's DatasetOut dump, kept in each process for as long as what it is made of holds.

Dumping a page of 25 records field by field is most of what a listing costs once its query
reads an index. What a dump says comes from the record's own row (whose version the ORM moves
on every change), its themes and city priorities, its department's code and name and its
steward's email and name, all loaded with the record; the key is made of exactly those, so a
kept dump is never of another state of any of them. Redaction for the reader is applied to a
copy afterwards (datasets.visibility.redact), never kept.
"""

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable
from typing import Any

from flask import current_app

from registry.datasets.models import Dataset
from registry.datasets.schemas import DatasetOut

SIZE = 4096
_OUT = DatasetOut()


def fingerprint(dataset: Dataset) -> Hashable:
    """Everything a dump is made of, as loaded with the record."""
    steward = dataset.steward
    return (
        dataset.id,
        dataset.version,
        dataset.updated_at,
        dataset.department.code,
        dataset.department.name,
        (steward.email, steward.name) if steward is not None else None,
        tuple(row.theme for row in dataset.theme_rows),
        tuple((priority.id, priority.name) for priority in dataset.supports),
    )


class _Kept:
    def __init__(self, size: int = SIZE) -> None:
        self.size, self.dumps, self.lock = size, OrderedDict(), threading.Lock()

    def dump(self, dataset: Dataset) -> dict[str, Any]:
        key = fingerprint(dataset)
        with self.lock:
            found = self.dumps.get(key)
            if found is not None:
                self.dumps.move_to_end(key)
        if found is None:
            found = _OUT.dump(dataset)
            with self.lock:
                self.dumps[key] = found
                while len(self.dumps) > self.size:
                    self.dumps.popitem(last=False)
        # A copy: callers redact and may change the top level; nested values are only read.
        return dict(found)


def dumped(datasets: Iterable[Dataset]) -> list[dict[str, Any]]:
    """DatasetOut dumps of the records, as DatasetOut().dump() gives them (kept per app, as
    one app serves one database)."""
    kept = current_app.extensions.setdefault("registry_dumps", _Kept())
    return [kept.dump(dataset) for dataset in datasets]
