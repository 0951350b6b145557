"""Stewardship follows a person's departments: a steward who leaves a department no longer
looks after its records. A person's edit from the registry's pages goes through here, so the
records are released in the same transaction as the change that caused it."""

from sqlalchemy import select

from registry.accounts import services as accounts
from registry.accounts.models import User
from registry.accounts.services import active_users_with_role
from registry.datasets.models import Dataset
from registry.datasets.services import record_edit
from registry.datasets.snapshots import diff, snapshot
from registry.db import utcnow
from registry.extensions import db
from registry.notifications.services import notify
from registry.permissions import Role


def update_user(user: User, raw: dict, *, actor: User, partial: bool = False) -> User:
    """A person's edit (accounts.services.update_user), and the records of each department they
    left released from their stewardship."""
    edit = accounts.update_user(user, raw, actor=actor, partial=partial)
    if edit.departments_left:
        release_stewardship(user, department_ids=edit.departments_left, actor=actor)
    return user


def release_stewardship(user: User, *, department_ids: list[int], actor) -> None:
    """A steward who leaves a department no longer looks after its records (nor hears about
    them): each becomes unstewarded, as a version and an audit event, and the coordinators are
    told to name a new steward."""
    records = db.session.scalars(
        select(Dataset).where(
            Dataset.steward_id == user.id, Dataset.department_id.in_(department_ids)
        )
    ).all()
    for dataset in records:
        before = snapshot(dataset)
        dataset.steward = None
        dataset.updated_at = utcnow()
        changes = diff(before, snapshot(dataset))
        record_edit(
            dataset, changes, actor=actor, details={"reason": "steward left the department"}
        )
        notify(
            active_users_with_role(Role.COORDINATOR),
            f"{dataset.title}: no steward",
            f"{user.name} no longer belongs to {dataset.department.name}, so {dataset.title} "
            "has no steward. Name one on the record.",
            link=f"/datasets/{dataset.identifier}",
            kind="Needs a steward",
        )
