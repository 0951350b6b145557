"""Writing audit events inside the caller's transaction, reading them, and verifying the chain."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, bindparam, select, update

from registry.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from registry.audit.tags import Tag
from registry.db import utcnow
from registry.extensions import db

SYSTEM_LABEL = "system"


def json_safe(value: Any) -> Any:
    """Payloads are stored as JSON; normalise them first so the hash covers what is stored."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def event_hash(event: AuditEvent) -> str:
    return hash_of({field: getattr(event, field) for field in HASHED})


HASHED = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_label",
    "tag",
    "subject_type",
    "subject_id",
    "payload",
    "address",
    "prev_hash",
)


def hash_of(fields: dict[str, Any]) -> str:
    """The hash of an event's fields (HASHED), as event_hash() checks a stored one."""
    body = {field: fields[field] for field in HASHED}
    body["occurred_at"] = body["occurred_at"].isoformat(timespec="microseconds")
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_event(
    tag: Tag,
    *,
    actor: Any = None,
    actor_label: str | None = None,
    subject_type: str | None = None,
    subject_id: object = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    address: str | None = None,
) -> dict[str, Any]:
    """Append one event to the chain in the current transaction (written, not committed).

    The UPDATE on the head row takes its lock first (a row lock on PostgreSQL, the write lock on
    SQLite), so concurrent writers queue up instead of forking the chain. The head is the one
    lock every writer shares, so:

    - Lock order: the record's own row first (datasets.services.lock_for_update, or the UPDATE
      of its version), then the chain head here. Never lock a record after writing an event in
      the same transaction: two writers taking the two locks in opposite orders deadlock.
    - Keep the hold short: validate, read and compute before the first event, and commit soon
      after it; nothing slow (mail, files, other servers) happens while it is held.
    """
    event = Event(tag, subject_type, subject_id, before, after, details)
    return record_events([event], actor=actor, actor_label=actor_label, address=address)[0]


@dataclass
class Event:
    """One event of record_events(): what happened, to what."""

    tag: Tag
    subject_type: str | None = None
    subject_id: object = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    details: dict[str, Any] | None = None
    actor: Any = None  # who did it, when not the batch's actor (a bulk load of many people's)


def record_events(
    events: list[Event],
    *,
    actor: Any = None,
    actor_label: str | None = None,
    address: str | None = None,
) -> list[dict[str, Any]]:
    """Appends events by one actor at one moment, chained in order, with three statements
    however many there are (an import registering thousands of records): the head moves past
    them all at once, under the lock record_event() describes."""
    connection = db.session.connection()
    head = connection.execute(_ADVANCE, {"count": len(events)}).one()
    seq, previous, now = head.seq - len(events), head.hash, utcnow()
    rows = []
    for event in events:
        if event.actor is not None:
            actor_id, label = event.actor.id, event.actor.email
        else:
            actor_id = getattr(actor, "id", None)
            label = actor_label or getattr(actor, "email", None) or SYSTEM_LABEL
        payload = {
            key: value for key, value in (("before", event.before), ("after", event.after)) if value
        }
        payload.update(event.details or {})
        seq += 1
        row = {
            "seq": seq,
            "occurred_at": now,
            "actor_id": actor_id,
            "actor_label": label,
            "tag": str(event.tag),
            "subject_type": event.subject_type,
            "subject_id": None if event.subject_id is None else str(event.subject_id),
            "payload": json_safe(payload),
            "address": address,
            "prev_hash": previous,
        }
        row["hash"] = previous = hash_of(row)
        rows.append(row)
    connection.execute(_APPEND, rows)
    connection.execute(_SEAL, {"tip": previous})
    return rows


# The three statements of an append, built once and run on the session's connection as plain
# statements (not the ORM's bulk paths): an audited read writes an event on every request, and
# building them and the ORM's handling of each were most of its cost (1.4 ms of a restricted
# listing's, 100,000 records on SQLite).
_HEAD = AuditChainHead.__table__
_ADVANCE = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=_HEAD.c.seq + bindparam("count", type_=BigInteger))
    .returning(_HEAD.c.seq, _HEAD.c.hash)
)
_APPEND = AuditEvent.__table__.insert()
_SEAL = update(_HEAD).where(_HEAD.c.id == 1).values(hash=bindparam("tip"))


def changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """The fields that differ, as (before, after) dicts holding only those fields."""
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk every event in order and name the first one that was altered, removed or reordered."""
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    rows = db.session.execute(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch_size)
    ).scalars()
    for event in rows:
        if event.seq != expected_seq:
            return ChainReport(
                checked,
                expected_seq,
                f"event {expected_seq} is missing: the next stored event is {event.seq}",
            )
        if event.prev_hash != prev_hash:
            return ChainReport(
                checked, event.seq, f"event {event.seq} does not follow event {event.seq - 1}"
            )
        if event_hash(event) != event.hash:
            return ChainReport(
                checked, event.seq, f"event {event.seq} was altered after it was written"
            )
        prev_hash, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
        db.session.expunge(event)
    head = db.session.get(AuditChainHead, 1)
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return ChainReport(
            checked,
            checked + 1,
            f"the chain ends at event {checked} but {head.seq} events were written",
        )
    return ChainReport(checked)


@dataclass(frozen=True)
class EventFilter:
    tag: str | None = None
    actor: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    person: str | None = None  # a name or an email: their own events
    person_ids: tuple[int, ...] = ()  # the people that name or email matches


def event_query(criteria: EventFilter):
    """Newest first. A tag matches itself and every tag under it ("account:user" finds all)."""
    query = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if criteria.tag:
        query = query.where(
            (AuditEvent.tag == criteria.tag)
            | AuditEvent.tag.startswith(criteria.tag + ":", autoescape=True)
        )
    if criteria.actor:
        query = query.where(AuditEvent.actor_label == criteria.actor.strip().lower())
    if criteria.person:
        query = query.where(
            (AuditEvent.actor_label == criteria.person.strip().lower())
            | AuditEvent.actor_id.in_(criteria.person_ids)
        )
    if criteria.subject_type:
        query = query.where(AuditEvent.subject_type == criteria.subject_type)
    if criteria.subject_id:
        query = query.where(AuditEvent.subject_id == criteria.subject_id)
    if criteria.since:
        query = query.where(AuditEvent.occurred_at >= criteria.since)
    if criteria.until:
        query = query.where(AuditEvent.occurred_at < criteria.until)
    return query
