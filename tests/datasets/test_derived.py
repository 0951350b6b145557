"""Derived statuses are each defined once, as a hybrid with its SQL twin beside it: on every kind
of record the query and the loaded object agree."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from registry.datasets.models import Dataset
from registry.extensions import db

TODAY = date(2026, 6, 15)
DAY = timedelta(days=1)
STATUSES = ["draft", "approved", "published", "retired"]
TARGETS = [None, TODAY - 10 * DAY, TODAY + 10 * DAY]
PUBLISHED = [None, TODAY - 20 * DAY, TODAY - 5 * DAY]
APPROVED = [None, TODAY - 400 * DAY, TODAY - 30 * DAY]
PROPOSALS = [None, {"classification": "internal"}]
METADATA = [
    {},
    {"description": "", "license": "https://x.example/l"},
    {"license": "https://x.example/l", "update_frequency": "R/P1M", "keywords": ["k"]},
    {"license": "https://x.example/l", "access_level": "restricted public", "rights": None},
]


@pytest.fixture
def every_kind(make):
    """One record per combination of the inputs the statuses read (a deterministic sample)."""
    base = make.dataset(**make.COMPLETE)
    combinations = list(
        itertools.product(STATUSES, TARGETS, PUBLISHED, APPROVED, PROPOSALS, METADATA)
    )[::11]
    records = []
    for status, target, published, approved, proposal, metadata in combinations:
        dataset = make.dataset(department=base.department.code, **make.COMPLETE)
        values = {
            "status": status,
            "release_target_date": target,
            "published_on": published,
            "approved_on": approved,
            "proposed_governance": proposal,
            "updated_at": datetime(2026, 1, 1, tzinfo=UTC) + (len(records) % 300) * DAY,
            **metadata,
        }
        db.session.execute(update(Dataset).where(Dataset.id == dataset.id).values(**values))
        records.append(dataset.id)
    db.session.commit()
    db.session.expire_all()
    return records


CASES = {
    "overdue": (lambda cls: cls.is_overdue(TODAY), lambda d: d.is_overdue(TODAY)),
    "published late": (lambda cls: cls.published_late, lambda d: d.published_late),
    "published on time": (lambda cls: cls.published_on_time, lambda d: d.published_on_time),
    "due for re-review": (
        lambda cls: cls.is_due_for_rereview(TODAY, 365),
        lambda d: d.is_due_for_rereview(TODAY, 365),
    ),
    "metadata complete": (lambda cls: cls.metadata_complete, lambda d: d.metadata_complete),
    "updated since": (
        lambda cls: cls.updated_since(datetime(2026, 1, 20, tzinfo=UTC)),
        lambda d: d.updated_since(datetime(2026, 1, 20, tzinfo=UTC)),
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_query_and_the_loaded_record_agree(every_kind, case):
    in_sql, in_python = CASES[case]
    selected = set(
        db.session.scalars(select(Dataset.id).where(Dataset.id.in_(every_kind), in_sql(Dataset)))
    )
    loaded = db.session.scalars(select(Dataset).where(Dataset.id.in_(every_kind))).all()
    evaluated = {dataset.id for dataset in loaded if in_python(dataset)}
    assert selected == evaluated and 0 < len(selected) < len(every_kind)
