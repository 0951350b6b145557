"""The city's themes: its own categories of data, a vocabulary the coordinator keeps (it starts
as the registry's twelve). A record's themes are checked against it when the record is
registered or edited; an import may add the themes its file names (transfer.imports)."""

from typing import Any

from marshmallow import fields, validate
from sqlalchemy import func, select

from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets.models import DatasetTheme, Theme
from registry.errors import Conflict, NotFound, PermissionDenied
from registry.extensions import db
from registry.permissions import Permission, has_permission
from registry.validation import InputSchema, load_input, raise_for


class ThemeIn(InputSchema):
    name = fields.String(
        required=True,
        validate=validate.Length(min=2, max=100, error="Give a name of 2 to 100 characters."),
    )


THEME_IN = ThemeIn()


def city_themes() -> list[str]:
    """The city's themes, in the coordinator's order."""
    return list(db.session.scalars(select(Theme.name).order_by(Theme.position, Theme.name)))


def themes_in_use() -> list[tuple[Theme, int]]:
    """Each theme with how many records have it (every record, whoever asks: only the
    coordinator sees this list, and may read every record)."""
    used = (
        select(DatasetTheme.theme, func.count().label("records"))
        .group_by(DatasetTheme.theme)
        .subquery()
    )
    query = (
        select(Theme, func.coalesce(used.c.records, 0))
        .outerjoin(used, used.c.theme == Theme.name)
        .order_by(Theme.position, Theme.name)
    )
    return [(theme, count) for theme, count in db.session.execute(query)]


def check_can_manage(actor) -> None:
    if not has_permission(actor, Permission.PROGRAM_MANAGE):
        raise PermissionDenied("Only the open data coordinator keeps the city's themes.")


def add_theme(raw: dict[str, Any], *, actor, source: str | None = None) -> Theme:
    """Adds a theme at the end of the list; a name the list has already (in any case) is
    refused. `source` says where it came from (an import), for the audit log."""
    check_can_manage(actor)
    data, errors = load_input(THEME_IN, raw)
    if "name" in data and data["name"].lower() in {name.lower() for name in city_themes()}:
        errors["name"] = ["The city has this theme already."]
    raise_for(errors)
    position = (db.session.scalar(select(func.max(Theme.position))) or 0) + 1
    theme = Theme(name=data["name"], position=position)
    db.session.add(theme)
    db.session.flush()
    record_event(
        Tag.THEME_ADD,
        actor=actor,
        subject_type="theme",
        subject_id=theme.name,
        after={"name": theme.name},
        details={"source": source} if source else None,
    )
    return theme


def remove_theme(theme_id: int, *, actor) -> str:
    """Removes a theme no record has; returns its name."""
    check_can_manage(actor)
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        raise NotFound("The city has no such theme.")
    used = db.session.scalar(
        select(func.count()).select_from(DatasetTheme).where(DatasetTheme.theme == theme.name)
    )
    if used:
        raise Conflict(
            f"{used:,} records have the theme {theme.name}: give them another theme first."
        )
    db.session.delete(theme)
    record_event(
        Tag.THEME_REMOVE,
        actor=actor,
        subject_type="theme",
        subject_id=theme.name,
        before={"name": theme.name},
    )
    return theme.name
