"""The demo city's inventory: about 200 plausible datasets across Riverton's departments, kept
as data (catalogue.csv, in the layout the exports write and the importer reads) and registered
by each department's steward through the services, a few with an edit or two."""

import csv
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from registry.accounts import services as accounts
from registry.datasets import services as datasets
from registry.datasets.models import Dataset
from registry.db import clock_at, utcnow
from registry.demo.city import DOMAIN
from registry.extensions import db
from registry.reviews.rereview import edit_dataset
from registry.transfer.columns import COLUMNS

CATALOGUE = Path(__file__).with_name("catalogue.csv")


def catalogue() -> list[dict]:
    """The catalogue's rows as the API takes a record (blank cells left out)."""
    by_header = {column.header: column for column in COLUMNS if column.importable}
    records = []
    with CATALOGUE.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            record = {}
            for header, cell in row.items():
                column = by_header.get(header)
                if column is None or cell == "" or column.field in ("identifier", "version"):
                    continue
                record[column.field] = column.read(cell)
            records.append(record)
    return records


def load_demo_datasets(begin: datetime | None = None, days: int = 60) -> list[Dataset]:
    """Registers the catalogue as each department's steward, one after another over `days` from
    `begin` (the city's first inventory drive); a few records get edits an hour later."""
    begin = begin or utcnow()
    rows = catalogue()
    span = timedelta(days=days) / max(1, len(rows))
    coordinator = accounts.find_user_by_email(f"coordinator@{DOMAIN}")
    existing = set(db.session.execute(select(Dataset.department_id, Dataset.title)).tuples())
    created: list[Dataset] = []
    numbers: dict[str, int] = {}
    for index, raw in enumerate(rows):
        with clock_at(begin + span * index):
            _register(raw, numbers, existing, created, coordinator)
    return created


def _register(raw: dict, numbers: dict, existing: set, created: list, coordinator) -> None:
    """One catalogue row, by its department's steward, unless the department has it already."""
    code = raw["department"]
    number = numbers[code] = numbers.get(code, -1) + 1
    department = accounts.get_department(code)
    if (department.id, raw["title"]) in existing:
        return
    steward = accounts.find_user_by_email(raw["steward"])
    dataset = datasets.create_dataset(raw, actor=steward)
    created.append(dataset)
    with clock_at(utcnow() + timedelta(hours=1)):
        if number % 6 == 1:
            edit_dataset(
                dataset,
                {"record_count": (dataset.record_count or 0) + 250, "version": dataset.version},
                actor=steward,
            )
        if number % 9 == 4:
            edit_dataset(
                dataset,
                {"release_priority": "high", "version": dataset.version},
                actor=coordinator,
            )
