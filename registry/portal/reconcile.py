"""The registry set against its portals: registering a portal, reading it (all of it, or
nothing changes), matching each portal dataset to a record (portal.drift says what differs).
Services flush; callers commit.

Matching, in order: the portal's identifier (a record's own, or the portal identifier an
import kept), then the landing page, then the title within the same publisher (uncertain: the
coordinator confirms or corrects it once, and the answer is kept while the portal lists it)."""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from marshmallow import fields, validate
from sqlalchemy import or_, select, update

from registry.accounts.models import Department
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.dashboard.counts import is_released
from registry.datasets.models import Dataset
from registry.datasets.vocab import UPDATE_FREQUENCIES
from registry.db import before_a_slow_call, utcnow, utctoday
from registry.errors import NotFound
from registry.extensions import db
from registry.notifications.services import notify
from registry.portal.fetch import PortalUnreadable, Reach
from registry.portal.freshness import freshness, late_from
from registry.portal.history import remember
from registry.portal.models import KINDS, PortalEntry, PortalSource
from registry.portal.readers import PortalItem, read_portal
from registry.reviews.notify import stewards_of
from registry.transfer.datajson import PORTAL_IDENTIFIER
from registry.validation import InputSchema, load_input, raise_for


class SourceIn(InputSchema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(list(KINDS), error="Choose data.json, CKAN or Socrata."),
    )
    url = fields.Url(
        required=True,
        schemes={"http", "https"},
        require_tld=False,
        validate=validate.Length(max=500),
        error_messages={"invalid": "Give the portal's address, starting with https://."},
    )
    allow_private = fields.Boolean(load_default=False)


def add_source(raw: dict[str, Any], *, actor) -> PortalSource:
    data, errors = load_input(SourceIn(), raw)
    url = data.get("url")
    taken = url and db.session.scalar(select(PortalSource.id).where(PortalSource.url == url))
    raise_for(errors, {"url": ["This portal is registered already."]} if taken else None)
    source = PortalSource(**data)
    db.session.add(source)
    db.session.flush()
    record_event(
        Tag.PORTAL_SOURCE,
        actor=actor,
        subject_type="portal",
        subject_id=source.id,
        after={"kind": source.kind, "url": source.url, "allow_private": source.allow_private},
    )
    return source


def list_sources() -> list[PortalSource]:
    return list(db.session.scalars(select(PortalSource).order_by(PortalSource.id)))


def get_source(source_id: int) -> PortalSource:
    source = db.session.get(PortalSource, source_id)
    if source is None:
        raise NotFound("There is no such portal.")
    return source


def words(text: str | None) -> str:
    return re.sub(r"\W+", " ", (text or "").casefold()).strip()


def _page(url: str | None) -> str:
    return (url or "").strip().rstrip("/").lower()


@dataclass
class _Records:
    """What matching needs of every record, read once per reading."""

    by_identifier: dict[str, int] = field(default_factory=dict)
    by_page: dict[str, int] = field(default_factory=dict)
    by_title: dict[tuple[str, str], int] = field(default_factory=dict)
    frequency: dict[int, str | None] = field(default_factory=dict)

    @classmethod
    def read(cls) -> "_Records":
        records = cls()
        rows = db.session.execute(
            select(
                Dataset.id,
                Dataset.identifier,
                Dataset.landing_page,
                Dataset.title,
                Department.name,
                Dataset.additional_fields,
                Dataset.update_frequency,
            ).join(Department, Department.id == Dataset.department_id)
        )
        for record_id, identifier, page, title, department, additional, frequency in rows:
            records.frequency[record_id] = frequency
            records.by_identifier[identifier] = record_id
            portal_id = (additional or {}).get(PORTAL_IDENTIFIER)
            if portal_id:
                records.by_identifier.setdefault(str(portal_id), record_id)
            if page:
                records.by_page.setdefault(_page(page), record_id)
            records.by_title.setdefault((words(department), words(title)), record_id)
            records.by_title.setdefault(("", words(title)), record_id)
        return records

    def match(self, item: PortalItem) -> tuple[int | None, str | None]:
        if item.external_id in self.by_identifier:
            return self.by_identifier[item.external_id], "identifier"
        if item.landing_page and _page(item.landing_page) in self.by_page:
            return self.by_page[_page(item.landing_page)], "landing page"
        key = (words(item.publisher), words(item.title))
        found = self.by_title.get(key) or self.by_title.get(("", key[1]))
        return (found, "title") if found else (None, None)


def _keep(source: PortalSource, items: list[PortalItem]) -> None:
    """The reading replaces the last: new datasets added, gone ones removed, the rest updated;
    a match the coordinator confirmed or refused stays."""
    existing = {entry.external_id: entry for entry in source.entries}
    records = _Records.read()
    seen, changes = set(), []
    for item in items:
        seen.add(item.external_id)
        entry = existing.get(item.external_id)
        if entry is None:
            entry = PortalEntry(source=source, external_id=item.external_id)
            db.session.add(entry)
        for name in ("title", "description", "landing_page", "license", "contact_email"):
            setattr(entry, name, getattr(item, name))
        entry.publisher, entry.modified, entry.downloads = (
            item.publisher,
            item.modified,
            item.downloads,
        )
        if not entry.confirmed:
            entry.dataset_id, entry.matched_by = records.match(item)
        frequency = records.frequency.get(entry.dataset_id) if entry.dataset_id else None
        entry.late_from = late_from(frequency, entry.modified)
        changes.append((entry.dataset_id, entry.modified))
    for external_id, entry in existing.items():
        if external_id not in seen:
            db.session.delete(entry)
    remember(changes)


def check_source(source: PortalSource, *, actor) -> str | None:
    """Reads the portal and keeps what it found; returns why it failed, if it did (then
    nothing of the last good reading changes). The portal is read with no transaction open
    (what came before is committed first), then what it said is kept in a writer's."""
    kind, url, reach = source.kind, source.url, Reach.of(source.url, source.allow_private)
    before_a_slow_call(db.session)  # commits what came before: nothing is held meanwhile
    try:
        items, problem = read_portal(kind, url, reach), None
    except PortalUnreadable as error:
        items, problem = [], str(error)[:1000]
    source.checked_at = utcnow()
    if problem:
        source.last_error = problem
        db.session.flush()
        return problem
    keep_reading(source, items, actor=actor)
    return None


def keep_reading(source: PortalSource, items: list[PortalItem], *, actor) -> None:
    """What a good reading found, kept: the datasets matched, the stewards of late ones told,
    the reading audited."""
    _keep(source, items)
    source.last_error, source.last_count, source.last_good_at = None, len(items), utcnow()
    db.session.flush()
    _tell_late(source)
    record_event(
        Tag.PORTAL_CHECK,
        actor=actor,
        subject_type="portal",
        subject_id=source.id,
        details={"datasets": len(items), "url": source.url},
    )


def _tell_late(source: PortalSource) -> int:
    """Each released record overdue on the portal has its stewards told, once per lateness
    (a new change on the portal, late again later, is told again)."""
    today = utctoday()
    late = db.session.scalars(
        select(PortalEntry).where(
            PortalEntry.source_id == source.id,
            PortalEntry.late_from <= today,
            PortalEntry.dataset_id.is_not(None),
        )
    )
    told = 0
    for entry in late:
        record = entry.dataset
        if entry.told_late_for == entry.modified or not is_released(
            record.classification, record.status
        ):
            continue
        entry.told_late_for = entry.modified
        judged = freshness(record.update_frequency, entry.modified, today)
        rhythm = UPDATE_FREQUENCIES.get(record.update_frequency, record.update_frequency)
        body = (
            f"“{record.title}” is to be updated {rhythm.lower()}; the "
            f"portal last shows a change on {entry.modified:%d %B %Y}, {judged.days_late} days "
            "late. Refresh it on the portal, or correct its update frequency here."
        )
        told += bool(
            notify(
                stewards_of(record),
                f"Late on the portal: {record.title}",
                body,
                link=f"/datasets/{record.identifier}",
                kind="Late on the portal",
            )
        )
    db.session.flush()
    return told


def check_due_portals(hours: int = 24) -> int:
    """Housekeeping's daily reading: each portal not read for `hours` (a failed reading counts:
    it is tried again the next day, not at every pass). Returns how many were read."""
    since = utcnow() - timedelta(hours=hours)
    read = 0
    for source in list_sources():
        # Claimed in one statement, so two processes' housekeeping never read one portal twice.
        claimed = db.session.execute(
            update(PortalSource)
            .where(
                PortalSource.id == source.id,
                or_(PortalSource.checked_at.is_(None), PortalSource.checked_at < since),
            )
            .values(checked_at=utcnow())
        ).rowcount
        db.session.commit()
        if claimed:
            check_source(source, actor=None)
            db.session.commit()
            read += 1
    return read


def confirm_match(entry_id: int, dataset_identifier: str | None, *, actor) -> PortalEntry:
    """The coordinator's answer for one portal dataset: this record, or none in the registry."""
    entry = db.session.get(PortalEntry, entry_id)
    if entry is None:
        raise NotFound("There is no such portal dataset.")
    if dataset_identifier is not None and not dataset_identifier.strip():
        raise_for({}, {"record": ["Give the identifier of the record it is, or say it is none."]})
    dataset_id = None
    if dataset_identifier:
        dataset_id = db.session.scalar(
            select(Dataset.id).where(Dataset.identifier == dataset_identifier.strip())
        )
        if dataset_id is None:
            raise_for({}, {"dataset": [f"No record has the identifier “{dataset_identifier}”."]})
    entry.dataset_id, entry.matched_by, entry.confirmed = dataset_id, "confirmed", True
    db.session.flush()
    remember([(dataset_id, entry.modified)])
    record_event(
        Tag.PORTAL_MATCH,
        actor=actor,
        subject_type="portal",
        subject_id=entry.source_id,
        details={"portal_dataset": entry.external_id, "record": dataset_identifier or None},
    )
    return entry
