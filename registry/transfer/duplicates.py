"""Rows that are records the registry already holds: found before anything is written, by the
identifiers a record has elsewhere (a portal's identifier, an inventory ID, kept as additional
fields) or by its department and title, against the registry and against the file's own earlier
rows. Such a row is skipped unless the importer asks to create it anyway, so that importing the
same file twice changes nothing the second time."""

from enum import StrEnum
from typing import Any

from sqlalchemy import select

from registry.accounts.models import Department
from registry.datasets.models import Dataset
from registry.datasets.search import EXTERNAL_HEADERS
from registry.extensions import db
from registry.transfer.headers import squash

EXTERNAL = EXTERNAL_HEADERS  # squashed headers of the identifiers a record has elsewhere


class Duplicates(StrEnum):
    SKIP = "skip"  # a row matching a record is left out, and said so
    UPDATE = "update"  # the record it matches takes the row's values (its cells that say any)
    CREATE = "create"  # registered anyway, as a record of its own


def _external(extras: dict[str, str]) -> list[tuple[str, str]]:
    return [(squash(h), v.strip().lower()) for h, v in extras.items() if squash(h) in EXTERNAL]


class Known:
    """The records a file's rows may repeat, read once per department the rows name."""

    def __init__(self) -> None:
        self.by_title: dict[tuple[str, str], Any] = {}
        self.by_external: dict[tuple[str, str], Any] = {}
        self.loaded: set[str] = set()
        self.unsettled: list[tuple[dict, tuple[str, str]]] = []

    def _load(self, department: str) -> None:
        if department in self.loaded:
            return
        self.loaded.add(department)
        query = (
            select(Dataset.identifier, Dataset.title, Dataset.additional_fields)
            .join(Department, Department.id == Dataset.department_id)
            .where(Department.code == department)
        )
        for identifier, title, extras in db.session.execute(query):
            self.add(identifier, department, title, extras or {})

    def add(self, identifier, department: str, title: str, extras: dict[str, str]) -> None:
        """A record by its identifier, or an earlier row's record not yet written (a Dataset
        whose identifier is given when its batch is: settle() then keeps just that)."""
        for known, key in (
            (self.by_title, (department, squash(title))),
            *((self.by_external, key) for key in _external(extras)),
        ):
            if key not in known:
                known[key] = identifier
                if not isinstance(identifier, str):
                    self.unsettled.append((known, key))

    def settle(self) -> None:
        """Keeps the identifiers of the rows' records just written, not the records."""
        for known, key in self.unsettled:
            known[key] = getattr(known[key], "identifier", known[key])
        self.unsettled = []

    def holds(self, header: str, value: str) -> bool:
        """Whether a record (or an earlier row) has this identifier elsewhere already."""
        return (squash(header), value.strip().lower()) in self.by_external

    def match(self, raw: dict[str, Any], extras: dict[str, str]) -> str | None:
        """The identifier of the record (or the earlier row's) this row repeats, or None."""
        department, title = raw.get("department"), raw.get("title")
        if not department or not title:
            return None
        self._load(department)
        for key in _external(extras):
            if key in self.by_external:
                return self.by_external[key]
        return self.by_title.get((department, squash(title)))
