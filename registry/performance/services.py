"""Defining and editing measures (each change a version and an audit event), and reporting
their values (a correction keeps what it corrects, with its reason)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from registry.accounts.models import Department
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.models import Dataset
from registry.datasets.visibility import readable_by
from registry.db import utcnow, utctoday
from registry.errors import Conflict, NotFound, PermissionDenied
from registry.extensions import db
from registry.performance.models import (
    CityPriority,
    Measure,
    MeasureSource,
    MeasureValue,
    MeasureVersion,
)
from registry.performance.permissions import can_keep_measure, can_keep_measures
from registry.performance.rules import PeriodError, parse_period, period_label, written
from registry.performance.schemas import MeasureIn, MeasurePatch, ValueIn
from registry.validation import load_input, raise_for

FIELDS = (
    "priority",
    "department",
    "name",
    "counts",
    "unit",
    "direction",
    "target",
    "target_date",
    "frequency",
    "datasets",
)
# What cannot change once values are reported: they were counted in that unit, for those periods.
FIXED_ONCE_REPORTED = {
    "unit": "The unit cannot change once values are reported ({count} in {old}): they would "
    "read as {new}. Define a new measure for the new unit.",
    "frequency": "How often it is reported cannot change once values are reported ({count}, "
    "{old}). Define a new measure for {new} figures.",
}


def get_measure(measure_id: int) -> Measure:
    found = db.session.get(Measure, measure_id)
    if found is None:
        raise NotFound("There is no such measure.")
    return found


def snapshot(measure: Measure) -> dict[str, Any]:
    """The measure as a version keeps it (its records by identifier)."""
    identifiers = db.session.scalars(
        select(Dataset.identifier)
        .join(MeasureSource, MeasureSource.dataset_id == Dataset.id)
        .where(MeasureSource.measure_id == measure.id)
        .order_by(Dataset.identifier)
    )
    return {
        "priority": measure.priority.name,
        "department": measure.department.code,
        "name": measure.name,
        "counts": measure.counts,
        "unit": measure.unit,
        "direction": measure.direction,
        "target": measure.target,
        "target_date": measure.target_date.isoformat(),
        "frequency": measure.frequency,
        "datasets": list(identifiers),
    }


def _as_snapshot(data: dict[str, Any]) -> dict[str, Any]:
    """Loaded input in the snapshot's terms, to compare with one."""
    shown = dict(data)
    if isinstance(shown.get("target_date"), date):
        shown["target_date"] = shown["target_date"].isoformat()
    if "datasets" in shown:
        shown["datasets"] = sorted(shown["datasets"])
    return shown


def _resolve(data: dict[str, Any], errors: dict, actor) -> dict[str, Any]:
    """The priority, department and records the input names; what is unknown goes to
    `errors`. A record is found only among those the person may read."""
    found: dict[str, Any] = {}
    if data.get("priority"):
        priority = db.session.scalar(
            select(CityPriority).where(func.lower(CityPriority.name) == data["priority"].lower())
        )
        if priority is None:
            errors["priority"] = [f"The city has no priority named “{data['priority']}”."]
        else:
            found["priority"] = priority
            data["priority"] = priority.name
    if data.get("department"):
        code = data["department"]
        department = db.session.scalar(select(Department).where(Department.code == code))
        if department is None:
            errors["department"] = [f"There is no department with the code {code}."]
        else:
            found["department"] = department
    if "datasets" in data:
        found["datasets"] = _records(data, errors, actor)
    return found


def _records(data: dict[str, Any], errors: dict, actor) -> list[int]:
    """The ids of the records named (by identifier, in any case), among those the person may
    read: another record is "not found", so nothing is learnt of one they may not read."""
    wanted = [identifier.upper() for identifier in data["datasets"]]
    rows = db.session.execute(
        select(Dataset.id, Dataset.identifier).where(
            func.upper(Dataset.identifier).in_(wanted), readable_by(actor)
        )
    ).all()
    known = {identifier.upper(): (dataset_id, identifier) for dataset_id, identifier in rows}
    missing = [name for name in data["datasets"] if name.upper() not in known]
    if missing:
        errors["datasets"] = [f"No record you may read has the identifier {', '.join(missing)}."]
    data["datasets"] = [known[key][1] for key in wanted if key in known]
    return [known[key][0] for key in wanted if key in known]


def unreadable_sources(measure: Measure, reader) -> list[tuple[int, str]]:
    """The records behind a measure that this person may not read: (id, identifier)."""
    return list(
        db.session.execute(
            select(Dataset.id, Dataset.identifier)
            .join(MeasureSource, MeasureSource.dataset_id == Dataset.id)
            .where(MeasureSource.measure_id == measure.id, ~readable_by(reader))
            .order_by(Dataset.identifier)
        ).tuples()
    )


def _keep_unreadable(measure: Measure, data: dict, found: dict, actor) -> None:
    """An editor's list of records replaces those they may read; the others (named by someone
    who may read them) stay, unseen."""
    for dataset_id, identifier in unreadable_sources(measure, actor):
        if dataset_id not in found["datasets"]:
            found["datasets"].append(dataset_id)
            data["datasets"].append(identifier)


def _check_department(actor, department: Department | None) -> None:
    if department is not None and not can_keep_measure(actor, department.id):
        raise PermissionDenied(
            "Stewards keep the measures of their own department; the coordinator keeps any."
        )


def check_may_keep(actor, measure: Measure | None = None) -> None:
    """Refuses (403) whoever may not keep this measure (or, with none, any measure)."""
    if measure is None and not can_keep_measures(actor):
        raise PermissionDenied("Stewards and the coordinator keep measures.")
    if measure is not None and not can_keep_measure(actor, measure.department_id):
        raise PermissionDenied(
            "The coordinator and the accountable department's stewards keep this measure."
        )


def create_measure(raw: dict[str, Any], *, actor, today: date | None = None) -> Measure:
    """A new measure under a city priority, aiming at a day still to come."""
    check_may_keep(actor)
    data, errors = load_input(MeasureIn(), raw)
    found = _resolve(data, errors, actor)
    _check_department(actor, found.get("department"))
    if data.get("target_date") and data["target_date"] < (today or utctoday()):
        errors["target_date"] = [
            "A new measure aims at a day still to come: give a target date from today on."
        ]
    raise_for(errors)
    now = utcnow()
    measure = Measure(
        priority=found["priority"],
        department=found["department"],
        **{key: data[key] for key in FIELDS if key not in ("priority", "department", "datasets")},
        created_at=now,
        updated_at=now,
    )
    measure.sources = [MeasureSource(dataset_id=dataset_id) for dataset_id in found["datasets"]]
    db.session.add(measure)
    db.session.flush()
    after = snapshot(measure)
    _keep_version(measure, actor, after, {key: [None, value] for key, value in after.items()}, now)
    record_event(
        Tag.MEASURE_CREATE, actor=actor, subject_type="measure", subject_id=measure.id, after=after
    )
    return measure


def _lock(measure: Measure) -> None:
    """The measure's row until the transaction ends (edits and reports queue up), reloaded."""
    db.session.execute(select(Measure.id).where(Measure.id == measure.id).with_for_update())
    db.session.refresh(measure)


def _keep_version(measure: Measure, actor, values: dict, changes: dict, at: datetime) -> None:
    db.session.add(
        MeasureVersion(
            measure_id=measure.id,
            version=measure.version,
            changed_at=at,
            changed_by_id=getattr(actor, "id", None),
            changed_by_label=getattr(actor, "email", None) or "system",
            snapshot=values,
            changes=changes,
        )
    )


def _mine(measure: Measure, data: dict[str, Any], based_on: int, errors: dict) -> dict[str, Any]:
    """Of an edit based on an older version, what the editor changed from what they read; a
    field a colleague changed since, and the editor too, is a conflict (never overwritten)."""
    then = db.session.scalar(
        select(MeasureVersion.snapshot).where(
            MeasureVersion.measure_id == measure.id, MeasureVersion.version == based_on
        )
    )
    if then is None:
        errors["version"] = [f"The measure has no version {based_on}."]
        return {}
    now, sent = snapshot(measure), _as_snapshot(data)
    mine = {key: value for key, value in data.items() if sent[key] != then.get(key)}
    clashes = [key for key in mine if now.get(key) != then.get(key) and now[key] != sent[key]]
    if clashes:
        raise Conflict(
            "Someone changed this measure since you opened it, and changed "
            f"{', '.join(clashes)} as you did: read it again and redo your change.",
        )
    return mine


def _check_fixed(measure: Measure, data: dict, before: dict, errors: dict) -> None:
    """What cannot change once values are reported (FIXED_ONCE_REPORTED), to `errors`."""
    reported = db.session.scalar(
        select(func.count()).where(
            MeasureValue.measure_id == measure.id, MeasureValue.superseded_at.is_(None)
        )
    )
    for key, message in FIXED_ONCE_REPORTED.items():
        if reported and key in data and data[key] != before[key]:
            errors[key] = [message.format(count=reported, old=before[key], new=data[key])]


def _apply(measure: Measure, changes: dict, data: dict, found: dict) -> None:
    for key in changes:
        if key == "datasets":
            measure.sources = [MeasureSource(dataset_id=i) for i in found["datasets"]]
        elif key in ("priority", "department"):
            setattr(measure, key, found[key])
        else:
            setattr(measure, key, data[key])


def update_measure(measure: Measure, raw: dict[str, Any], *, actor) -> Measure:
    """Applies what the editor changed (see _mine), as a version and an audit event."""
    check_may_keep(actor, measure)
    _lock(measure)
    data, errors = load_input(MeasurePatch(), raw)
    based_on = data.pop("version", None)
    found = _resolve(data, errors, actor)
    if "datasets" in data:
        _keep_unreadable(measure, data, found, actor)
    if based_on is not None and based_on != measure.version and not errors:
        data = _mine(measure, data, based_on, errors)
    _check_department(actor, found.get("department"))
    before = snapshot(measure)
    _check_fixed(measure, data, before, errors)
    raise_for(errors)
    changes = {
        key: [before[key], value]
        for key, value in _as_snapshot(data).items()
        if before.get(key) != value
    }
    if not changes:
        return measure
    _apply(measure, changes, data, found)
    now = utcnow()
    measure.updated_at = now
    db.session.flush()
    _keep_version(measure, actor, snapshot(measure), changes, now)
    before_changed = {key: change[0] for key, change in changes.items()}
    after_changed = {key: change[1] for key, change in changes.items()}
    record_event(
        Tag.MEASURE_UPDATE,
        actor=actor,
        subject_type="measure",
        subject_id=measure.id,
        before=before_changed,
        after=after_changed,
    )
    return measure


def in_force(measure_id: int, period: date) -> MeasureValue | None:
    return db.session.scalar(
        select(MeasureValue).where(
            MeasureValue.measure_id == measure_id,
            MeasureValue.period == period,
            MeasureValue.superseded_at.is_(None),
        )
    )


@dataclass
class Reported:
    """What a report did: the value now in force, and whether it is new (or a correction)."""

    row: MeasureValue
    changed: bool

    @property
    def corrected(self) -> bool:
        return self.changed and self.row.corrects_id is not None


def _period(measure: Measure, data: dict[str, Any], errors: dict) -> date | None:
    """The period a value is for: one of the measure's, begun by today."""
    if "period" not in data:
        return None
    try:
        period = parse_period(data["period"], measure.frequency)
    except PeriodError as problem:
        errors["period"] = [str(problem)]
        return None
    if period > utctoday():
        errors["period"] = [f"{period_label(period, measure.frequency)} has not begun yet."]
    return period


def report_value(measure: Measure, raw: dict[str, Any], *, actor, lock: bool = True) -> Reported:
    """Reports a period's value. One already reported is corrected only with a reason, and the
    value it corrects is kept; the same value and note again change nothing."""
    check_may_keep(actor, measure)
    if lock:
        _lock(measure)
    data, errors = load_input(ValueIn(), raw)
    period = _period(measure, data, errors)
    current = in_force(measure.id, period) if period is not None and not errors else None
    if current is not None and (current.value, current.note) == (data["value"], data["note"]):
        return Reported(current, changed=False)
    if current is not None and not data.get("reason"):
        errors["reason"] = [
            f"{period_label(period, measure.frequency)} already has a value "
            f"({written(current.value)}, reported by {current.reported_by_label}): "
            "say why it is corrected."
        ]
    raise_for(errors)
    now = utcnow()
    if current is not None:
        current.superseded_at = now
        db.session.flush()  # the old row leaves force before the new one enters
    value = MeasureValue(
        measure_id=measure.id,
        period=period,
        value=data["value"],
        note=data["note"],
        reported_at=now,
        reported_by_id=getattr(actor, "id", None),
        reported_by_label=getattr(actor, "email", None) or "system",
        corrects_id=current.id if current is not None else None,
        reason=data["reason"] if current is not None else None,
    )
    db.session.add(value)
    db.session.flush()
    shown = {"period": period.isoformat(), "value": value.value, "note": value.note}
    record_event(
        Tag.MEASURE_VALUE if current is None else Tag.MEASURE_VALUE_CORRECT,
        actor=actor,
        subject_type="measure",
        subject_id=measure.id,
        before=None if current is None else {"value": current.value, "note": current.note},
        after=shown,
        details={"reason": value.reason} if value.reason else None,
    )
    return Reported(value, changed=True)
