"""The drift between the registry and its portals, from what the last good readings found
(portal.reconcile): what a portal lists that the registry lacks or has not released, what the
registry released that no portal lists, what the two describe differently, matches to
confirm, links that answer an error, and each released record's freshness."""

from dataclasses import dataclass, field
from datetime import date
from statistics import median

from sqlalchemy import select

from registry.dashboard.counts import is_released
from registry.datasets.models import Dataset
from registry.db import utctoday
from registry.extensions import db
from registry.portal.freshness import Freshness, freshness
from registry.portal.models import PortalEntry, PortalSource
from registry.portal.reconcile import list_sources, words

COMPARED = ("title", "description", "license", "contact_email")


@dataclass
class Late:
    record: Dataset
    entry: PortalEntry
    freshness: Freshness


@dataclass
class Drift:
    sources: list[PortalSource]
    as_of: date
    elsewhere: list[PortalEntry] = field(default_factory=list)  # on a portal, not registered
    # On a portal, and registered, but not released here (a draft, one in review, restricted).
    unreleased: list[PortalEntry] = field(default_factory=list)
    missing: list[Dataset] = field(default_factory=list)  # released here, on no portal
    differs: list[tuple[PortalEntry, list[str]]] = field(default_factory=list)
    uncertain: list[PortalEntry] = field(default_factory=list)
    fresh: list[Late] = field(default_factory=list)  # every judged record, late or not
    broken: list[PortalEntry] = field(default_factory=list)  # a link answered an error

    @property
    def late(self) -> list[Late]:
        return [item for item in self.fresh if not item.freshness.on_time]

    @property
    def by_department(self) -> list["DepartmentFreshness"]:
        """Each department's released records judged: how many, the share on time, and the
        median days late of those late (by department name)."""
        groups: dict[str, list[Late]] = {}
        for item in self.fresh:
            groups.setdefault(item.record.department.name, []).append(item)
        return [DepartmentFreshness.of(name, groups[name]) for name in sorted(groups)]


@dataclass(frozen=True)
class DepartmentFreshness:
    department: str
    judged: int
    on_time: int
    median_days_late: float | None

    @property
    def share_on_time(self) -> float:
        return self.on_time / self.judged

    @classmethod
    def of(cls, department: str, items: list[Late]) -> "DepartmentFreshness":
        late = [item.freshness.days_late for item in items if not item.freshness.on_time]
        on_time = len(items) - len(late)
        return cls(department, len(items), on_time, median(late) if late else None)


def differences(entry: PortalEntry, record: Dataset) -> list[str]:
    """The fields the portal says otherwise, but for those the coordinator kept on the
    registry's side while the portal still says what it said then."""
    settled = entry.settled or {}
    return [
        name
        for name in COMPARED
        if getattr(entry, name)
        and words(getattr(entry, name)) != words(getattr(record, name))
        and settled.get(name) != getattr(entry, name)
    ]


def _judge(found: Drift, entry: PortalEntry, record: Dataset) -> None:
    """What one matched portal dataset says of its record: a match to confirm, metadata that
    differs, and (for a released record with a rhythm) its freshness."""
    if entry.matched_by == "title" and not entry.confirmed:
        found.uncertain.append(entry)
    if changed := differences(entry, record):
        found.differs.append((entry, changed))
    if not is_released(record.classification, record.status):
        found.unreleased.append(entry)
        return
    judged = freshness(record.update_frequency, entry.modified, found.as_of)
    if judged is not None:
        found.fresh.append(Late(record, entry, judged))


def _released_elsewhere_only(matched: set[int]) -> list[Dataset]:
    released = select(Dataset).where(Dataset.status == "published").order_by(Dataset.title)
    return [
        record
        for record in db.session.scalars(released)
        if record.id not in matched and is_released(record.classification, record.status)
    ]


def drift(today: date | None = None) -> Drift:
    """What differs between the registry and every portal read well at least once."""
    sources = list_sources()
    found = Drift(sources, today or utctoday())
    read = [source.id for source in sources if source.last_good_at is not None]
    if not read:
        return found
    entries = list(
        db.session.scalars(
            select(PortalEntry)
            .where(PortalEntry.source_id.in_(read))
            .order_by(PortalEntry.title, PortalEntry.id)
        )
    )
    matched = {entry.dataset_id for entry in entries if entry.dataset_id is not None}
    found.broken = [entry for entry in entries if entry.link_problem]
    records = {
        record.id: record
        for record in db.session.scalars(select(Dataset).where(Dataset.id.in_(list(matched))))
    }
    for entry in entries:
        record = records.get(entry.dataset_id)
        if record is None:
            found.elsewhere.append(entry)
        else:
            _judge(found, entry, record)
    found.missing = _released_elsewhere_only(matched)
    return found


def on_portal(record: Dataset) -> Late | None:
    """How the portal shows one record now: its freshness, when it has a rhythm and a portal
    lists it (the latest change any portal shows)."""
    entry = db.session.scalar(
        select(PortalEntry)
        .where(PortalEntry.dataset_id == record.id, PortalEntry.modified.is_not(None))
        .order_by(PortalEntry.modified.desc())
        .limit(1)
    )
    judged = entry and freshness(record.update_frequency, entry.modified, utctoday())
    return Late(record, entry, judged) if judged else None
