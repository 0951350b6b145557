"""Shapes of the audit log filter and of an event as the API returns it."""

from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from marshmallow import Schema, fields, validate

from registry.audit.services import EventFilter
from registry.audit.words import NAMES
from registry.validation import InputSchema

# The registry's records start in this century; dates outside are typing mistakes or probes.
EARLIEST, LATEST = date(1900, 1, 1), date(2999, 12, 31)


class EventFilterIn(InputSchema):
    tag = fields.String(load_default=None, validate=validate.Length(max=64))
    actor = fields.String(load_default=None, validate=validate.Length(max=254))
    person = fields.String(
        load_default=None,
        validate=validate.Length(max=254),
        metadata={"description": "A person's name (or part of it) or email."},
    )
    record = fields.String(
        load_default=None,
        validate=validate.Length(max=128),
        metadata={"description": "A dataset's identifier: the events about it."},
    )
    subject_type = fields.String(load_default=None, validate=validate.Length(max=32))
    subject_id = fields.String(load_default=None, validate=validate.Length(max=128))
    since = fields.Date(load_default=None, validate=validate.Range(min=EARLIEST, max=LATEST))
    until = fields.Date(load_default=None, validate=validate.Range(min=EARLIEST, max=LATEST))


class AuditEventOut(Schema):
    seq = fields.Integer()
    occurred_at = fields.AwareDateTime()
    actor = fields.String(attribute="actor_label")
    tag = fields.String()
    subject_type = fields.String(allow_none=True)
    subject_id = fields.String(allow_none=True)
    payload = fields.Dict()
    address = fields.String(allow_none=True)
    hash = fields.String()
    prev_hash = fields.String()


class AuditPageOut(Schema):
    items = fields.List(fields.Nested(AuditEventOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class AuditHeadOut(Schema):
    seq = fields.Integer(metadata={"description": "The newest event's sequence number."})
    hash = fields.String(metadata={"description": "Its SHA-256 hash, covering every event before."})
    at = fields.String(metadata={"description": "When this was read (UTC, ISO 8601)."})


def load_event_filter(args) -> EventFilter:
    """Dates are whole UTC days: `until` includes the day it names."""
    data = EventFilterIn().load({key: args[key] for key in EventFilterIn().fields if key in args})
    since = data.pop("since")
    until = data.pop("until")
    record = data.pop("record")
    if record:
        data.update(subject_type="dataset", subject_id=record.strip().lower())
    person_ids: tuple[int, ...] = ()
    if data.get("person"):
        match = current_app.extensions.get(NAMES, {}).get("match_people")
        person_ids = tuple(match(data["person"])) if match else ()
    return EventFilter(
        **data,
        person_ids=person_ids,
        since=datetime.combine(since, time.min, UTC) if since else None,
        until=datetime.combine(until, time.min, UTC) + timedelta(days=1) if until else None,
    )
