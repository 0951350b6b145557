"""What a person may do in a dataset's review now: the facts the workflow's checks need about a
record and a person, gathered in one place, and the workflow's answers for them."""

from typing import Any

from sqlalchemy import or_

from registry.datasets.governance import stage
from registry.datasets.models import Dataset
from registry.datasets.snapshots import snapshot
from registry.datasets.visibility import department_ids, in_department
from registry.permissions import Permission, has_permission
from registry.reviews.requirements import missing_for_review, publication_problems
from registry.reviews.workflow import (
    Action,
    Facts,
    allowed_actions,
    may_vote,
)


def is_recused(member, dataset) -> bool:
    """Members who steward the dataset or belong to its department do not judge it."""
    return dataset.steward_id == member.id or in_department(member, dataset.department_id)


def not_recused(member):
    """is_recused()'s rule as a query's condition: the records this member may judge."""
    return or_(Dataset.steward_id.is_(None), Dataset.steward_id != member.id) & (
        Dataset.department_id.not_in(list(department_ids(member)))
    )


def facts_for(dataset, person, publication: dict[str, Any] | None = None) -> Facts:
    """What the workflow's checks need to know about this record and this person; for a
    publication, about the landing page and distributions it would have."""
    unpublishable: dict[str, str] = {}
    if publication is not None:
        unpublishable = publication_problems(
            publication.get("landing_page"), publication.get("distributions") or []
        )
    return Facts(
        in_department=in_department(person, dataset.department_id),
        is_chair=bool(getattr(person, "is_chair", False)),
        recused=is_recused(person, dataset),
        missing=tuple(missing_for_review(snapshot(dataset))),
        unpublishable=tuple(unpublishable.items()),
    )


def signed_in(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def available_actions(user, dataset) -> list[Action]:
    if not signed_in(user):
        return []
    return allowed_actions(stage(dataset), user.role_set, facts_for(dataset, user))


def can_read_votes(user) -> bool:
    return has_permission(user, Permission.REVIEW_READ)


def can_vote(user, dataset) -> bool:
    return signed_in(user) and may_vote(stage(dataset), user.role_set, facts_for(dataset, user))
