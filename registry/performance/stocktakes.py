"""A department's monthly stock-take: its agenda, computed when asked (the follow-ups earlier
stock-takes left open come first, then the department's measures off track or without data,
then its datasets late for release), and what the meeting recorded: a note and a follow-up per
measure, and which open follow-ups it closed. The next month's agenda starts with what is
still open."""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from marshmallow import fields, validate
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from registry.accounts.models import Department
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.models import Dataset
from registry.datasets.visibility import readable_by
from registry.db import utctoday
from registry.errors import Conflict, NotFound, PermissionDenied
from registry.extensions import db
from registry.performance.board import MeasureView, measure_views, measures_in_force, read_at
from registry.performance.models import StockTake, StockTakeNote
from registry.performance.permissions import can_keep_measure
from registry.performance.rules import Status
from registry.permissions import Permission, has_permission
from registry.transfer.exports import end_of_day
from registry.validation import Day, InputSchema, load_input, raise_for

MONTH = re.compile(r"(\d{4})-(\d{2})")


class StockTakeIn(InputSchema):
    held_on = Day(required=True)
    attendees = fields.String(load_default=None, validate=validate.Length(max=2000))


class NoteIn(InputSchema):
    note = fields.String(load_default=None, validate=validate.Length(max=5000))
    follow_up = fields.String(load_default=None, validate=validate.Length(max=2000))
    follow_up_by = Day(load_default=None)


@dataclass
class Agenda:
    department: Department
    month: date
    day: date  # the day the agenda reads the measures and datasets on
    follow_ups: list[StockTakeNote]
    measures: list[MeasureView]
    late: list[Dataset]
    held: StockTake | None

    @property
    def label(self) -> str:
        return f"{calendar.month_name[self.month.month]} {self.month.year}"


def month_of(text: str) -> date:
    """A month as the address writes it (2026-12); anything else is not found."""
    found = MONTH.fullmatch(text)
    if not found or not 1 <= int(found[2]) <= 12 or int(found[1]) < 1990:
        raise NotFound("There is no such month.")
    return date(int(found[1]), int(found[2]), 1)


def may_read(user, department_id: int) -> bool:
    return can_keep_measure(user, department_id) or has_permission(user, Permission.AUDIT_READ)


def department_of(code: str, reader) -> Department:
    department = db.session.scalar(select(Department).where(Department.code == code.upper()))
    if department is None:
        raise NotFound("There is no such department.")
    if not may_read(reader, department.id):
        raise PermissionDenied(
            "A department's stock-takes are for its stewards, the coordinator and auditors."
        )
    return department


def _open_follow_ups(department: Department, month: date, held: StockTake | None):
    """Follow-ups of earlier stock-takes not closed before this one (those this one closed
    stay on its record)."""
    still_open = StockTakeNote.closed_in_id.is_(None)
    if held is not None:
        still_open = still_open | (StockTakeNote.closed_in_id == held.id)
    return db.session.scalars(
        select(StockTakeNote)
        .join(StockTake, StockTake.id == StockTakeNote.stock_take_id)
        .where(
            StockTake.department_id == department.id,
            StockTake.month < month,
            StockTakeNote.follow_up.is_not(None),
            still_open,
        )
        .options(joinedload(StockTakeNote.measure), joinedload(StockTakeNote.stock_take))
        .order_by(StockTake.month, StockTakeNote.id)
    ).all()


def agenda(department: Department, month: date, reader) -> Agenda:
    held = db.session.scalar(
        select(StockTake).where(StockTake.department_id == department.id, StockTake.month == month)
    )
    last_day = date(month.year, month.month, calendar.monthrange(month.year, month.month)[1])
    day = held.held_on if held else min(utctoday(), last_day)
    # A meeting held is read as it stood when its day ended: a value corrected, or a measure
    # added, since then is not what it looked at. A day not ended yet is now (board.read_at).
    moment = read_at(end_of_day(held.held_on)) if held else None
    views = measure_views(measures_in_force(moment, department.id), reader, day, moment)
    late = db.session.scalars(
        select(Dataset)
        .where(Dataset.department_id == department.id, Dataset.is_overdue(day), readable_by(reader))
        .order_by(Dataset.release_target_date, Dataset.title)
    ).all()
    return Agenda(
        department,
        month,
        day,
        list(_open_follow_ups(department, month, held)),
        [view for view in views if view.status != Status.ON_TRACK],
        list(late),
        held,
    )


def _notes(raw: dict[str, Any], measure_ids: set[int], errors: dict) -> list[dict]:
    """Each measure's note and follow-up from the form (`note-ID`, `follow_up-ID`,
    `follow_up_by-ID`), the empty ones left out."""
    found = []
    for measure_id in sorted(measure_ids):
        part = {name: raw.get(f"{name}-{measure_id}") for name in ("note", "follow_up")}
        part["follow_up_by"] = raw.get(f"follow_up_by-{measure_id}")
        data, problems = load_input(NoteIn(), part)
        for name, messages in problems.items():
            errors[f"{name}-{measure_id}"] = messages
        if data.get("follow_up_by") and not data.get("follow_up"):
            errors[f"follow_up-{measure_id}"] = ["Say what is to be done by that day."]
        if data.get("note") or data.get("follow_up"):
            found.append({"measure_id": measure_id, **data})
    return found


def _checked(current: Agenda, raw: dict[str, Any]) -> tuple[dict, list[dict], set[int]]:
    """The meeting's fields, its notes, and the open follow-ups it closes; every problem at
    once (ValidationError)."""
    data, errors = load_input(
        StockTakeIn(), {key: raw[key] for key in ("held_on", "attendees") if key in raw}
    )
    held_on = data.get("held_on")
    if held_on and not (current.month <= held_on <= utctoday()):
        errors["held_on"] = [f"Give a day of {current.label}, up to today."]
    measure_ids = {measure.id for measure in measures_in_force(None, current.department.id)}
    notes = _notes(raw, measure_ids, errors)
    closing = {int(item) for item in raw.get("close", []) if str(item).isdigit()}
    if closing - {note.id for note in current.follow_ups}:
        errors["close"] = ["Only this department's open follow-ups can be closed."]
    raise_for(errors)
    return data, notes, closing


def record_stock_take(department: Department, month: date, raw: dict[str, Any], *, actor):
    """Records the meeting: its day and attendees, the notes and follow-ups per measure, and
    the open follow-ups it closed (`close`: their ids). Once a month per department."""
    if not can_keep_measure(actor, department.id):
        raise PermissionDenied("A department's stewards and the coordinator record its stock-take.")
    # The department's row first: two recording the same month at once queue here, and the
    # second finds the first's record (the unique key would refuse it anyway).
    db.session.execute(
        select(Department.id).where(Department.id == department.id).with_for_update()
    )
    current = agenda(department, month, actor)
    if current.held is not None:
        raise Conflict(f"The {current.label} stock-take was recorded on {current.held.held_on}.")
    data, notes, closing = _checked(current, raw)
    held_on = data["held_on"]
    meeting = StockTake(
        department_id=department.id,
        month=month,
        held_on=held_on,
        attendees=data.get("attendees"),
        recorded_by_id=actor.id,
    )
    meeting.notes = [StockTakeNote(**note) for note in notes]
    db.session.add(meeting)
    db.session.flush()
    for note in current.follow_ups:
        if note.id in closing:
            note.closed_in_id = meeting.id
    record_event(
        Tag.STOCK_TAKE,
        actor=actor,
        subject_type="stock_take",
        subject_id=meeting.id,
        after={
            "department": department.code,
            "month": month.isoformat()[:7],
            "held_on": held_on.isoformat(),
            "notes": len(notes),
            "follow_ups": sum(1 for note in notes if note.get("follow_up")),
            "closed": sorted(closing),
        },
    )
    return meeting


def recorded(departments: list[int]):
    """The stock-takes of these departments, newest first (a select, read a page at a time)."""
    return (
        select(StockTake)
        .where(StockTake.department_id.in_(departments))
        .options(joinedload(StockTake.department), selectinload(StockTake.notes))
        .order_by(StockTake.month.desc(), StockTake.id.desc())
    )
