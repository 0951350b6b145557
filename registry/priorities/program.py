"""The program's settings (the request clocks, whether the public may ask) and the city's
strategic priorities, which the coordinator keeps."""

from typing import Any

from sqlalchemy import func, select

from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.errors import NotFound, PermissionDenied
from registry.extensions import db
from registry.performance.models import CityPriority
from registry.permissions import Permission, has_permission
from registry.priorities.requests import program_settings
from registry.priorities.schemas import CityPriorityIn, ProgramSettingsIn
from registry.validation import load_input, raise_for


def _check(actor) -> None:
    if not has_permission(actor, Permission.PROGRAM_MANAGE):
        raise PermissionDenied("Coordinators keep the program's settings and priorities.")


def update_program_settings(raw: dict[str, Any], *, actor):
    _check(actor)
    data, errors = load_input(ProgramSettingsIn(), raw)
    raise_for(errors)
    settings = program_settings()
    before = {key: getattr(settings, key) for key in data}
    for key, value in data.items():
        setattr(settings, key, value)
    if before != data:
        db.session.flush()
        record_event(
            Tag.PROGRAM_SETTINGS,
            actor=actor,
            subject_type="settings",
            subject_id="program",
            before=before,
            after=data,
        )
    return settings


def city_priorities() -> list[CityPriority]:
    return list(
        db.session.scalars(select(CityPriority).order_by(CityPriority.position, CityPriority.name))
    )


def get_city_priority(priority_id: int) -> CityPriority:
    found = db.session.get(CityPriority, priority_id)
    if found is None:
        raise NotFound("There is no such city priority.")
    return found


def save_city_priority(raw: dict[str, Any], *, actor, priority: CityPriority | None = None):
    """Adds a priority, or edits one; names are unique whatever their case."""
    _check(actor)
    data, errors = load_input(CityPriorityIn(), raw)
    if "name" in data:
        clash = select(CityPriority.id).where(func.lower(CityPriority.name) == data["name"].lower())
        if priority is not None:
            clash = clash.where(CityPriority.id != priority.id)
        if db.session.scalar(clash) is not None:
            errors["name"] = ["The city already has a priority by that name."]
    raise_for(errors)
    before = None
    if priority is None:
        priority = CityPriority()
        db.session.add(priority)
    else:
        before = {"name": priority.name, "description": priority.description}
    for key, value in data.items():
        setattr(priority, key, value)
    db.session.flush()
    record_event(
        Tag.CITY_PRIORITY,
        actor=actor,
        subject_type="city_priority",
        subject_id=priority.id,
        before=before,
        after={"name": priority.name, "description": priority.description},
    )
    return priority
