"""Every day a portal said a record last changed (PortalUpdate), so a record's freshness can be
judged as of any day: its last change then is the latest of them up to that day. Written
whenever a reading, a confirmed match or an import ties a portal dataset to a record; the
dashboard and the exports read it."""

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from registry.dashboard.counts import is_released
from registry.datasets.models import Dataset
from registry.derived import note_written
from registry.extensions import db
from registry.portal.freshness import Freshness, freshness
from registry.portal.models import PortalUpdate


def remember(pairs: Iterable[tuple[int | None, date | None]]) -> None:
    """Keeps each (record, day it last changed on a portal) not kept yet."""
    rows = [
        {"dataset_id": dataset_id, "modified": modified}
        for dataset_id, modified in set(pairs)
        if dataset_id is not None and modified is not None
    ]
    if not rows:
        return
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    written = db.session.execute(insert(PortalUpdate).values(rows).on_conflict_do_nothing())
    if written.rowcount:
        note_written(db.session(), PortalUpdate)


def on_portal_by(day: date):
    """The ids of the records some portal had shown a change of by the day."""
    return select(PortalUpdate.dataset_id).where(PortalUpdate.modified <= day).distinct()


def last_changes(day: date) -> dict[int, date]:
    """Each record's last change on a portal as of the day (records a portal never showed
    a change of by then are absent). As many rows as portal datasets, whatever the registry's
    size."""
    query = (
        select(PortalUpdate.dataset_id, func.max(PortalUpdate.modified))
        .where(PortalUpdate.modified <= day)
        .group_by(PortalUpdate.dataset_id)
    )
    return dict(db.session.execute(query).tuples().all())


def judged_as_of(day: date, cadences: dict[int, str | None]) -> dict[int, Freshness]:
    """The freshness on the day of each record given with its update frequency, where a portal
    had shown a change of it by then and the frequency has a period."""
    last = last_changes(day)
    found = {}
    for record_id, frequency in cadences.items():
        if record_id in last and (judged := freshness(frequency, last[record_id], day)):
            found[record_id] = judged
    return found


NOT_JUDGED = (None, None)


class Timeliness:
    """Each released record's freshness as of a day, by identifier, as the exports' "On time"
    and "Days late" give it: read once for an export (as many rows as portal datasets)."""

    def __init__(self, day: date) -> None:
        self.day = day
        query = (
            select(Dataset.identifier, func.max(PortalUpdate.modified))
            .join(Dataset, Dataset.id == PortalUpdate.dataset_id)
            .where(PortalUpdate.modified <= day)
            .group_by(Dataset.identifier)
        )
        self.last = dict(db.session.execute(query).tuples().all())

    def of(
        self, identifier: str, frequency: str | None, classification: str, status: str
    ) -> tuple[bool | None, int | None]:
        """(on time, days late) for a record as it stood on the day; (None, None) for one that
        was not released, sets no rhythm or no portal had shown a change of."""
        last = self.last.get(identifier)
        if last is None or not is_released(classification, status):
            return NOT_JUDGED
        judged = freshness(frequency, last, self.day)
        return (judged.on_time, judged.days_late) if judged else NOT_JUDGED
