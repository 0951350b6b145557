"""Who may read, create and edit which datasets.

Reading is one SQL condition, `readable_by(user)`, that every read path applies (detail, list,
search, facet counts, history, API), so no path can show what another hides. A record a user
may not read is answered exactly like a record that does not exist.
"""

from sqlalchemy import ColumnElement, or_, true

from registry.datasets.models import Dataset
from registry.datasets.vocab import Classification
from registry.permissions import Permission, has_permission
from registry.reviews.workflow import State

RELEASABLE = [str(level) for level in Classification if level != Classification.RESTRICTED]


def _department_ids(user) -> list[int]:
    return [department.id for department in user.departments]


def readable_by(user) -> ColumnElement[bool]:
    """Coordinators, committee and auditors read everything; stewards their department's records
    at every level; stakeholders and stewards levels 1 to 3 in any state; everyone, signed in or
    not, the published records at levels 1 to 3."""
    if has_permission(user, Permission.DATASET_READ_ALL):
        return true()
    conditions = [Dataset.classification.in_(RELEASABLE) & (Dataset.status == str(State.PUBLISHED))]
    if has_permission(user, Permission.DATASET_READ_CANDIDATES):
        conditions.append(Dataset.classification.in_(RELEASABLE))
    if has_permission(user, Permission.DATASET_READ_DEPARTMENT) and user.departments:
        conditions.append(Dataset.department_id.in_(_department_ids(user)))
    return or_(*conditions)


def can_read_version(user, dataset: Dataset, classification: str) -> bool:
    """An old version classified restricted stays hidden from readers of non-restricted records,
    even after the record itself was reclassified down."""
    if classification != Classification.RESTRICTED:
        return True
    if has_permission(user, Permission.DATASET_READ_ALL):
        return True
    return has_permission(user, Permission.DATASET_READ_DEPARTMENT) and dataset.department_id in (
        _department_ids(user)
    )


def can_read_unpublished(user, dataset: Dataset, classification: str) -> bool:
    """Whether this user could read the record at this level if it were not published: what
    governs a proposal before the committee, which the public does not see."""
    if has_permission(user, Permission.DATASET_READ_ALL):
        return True
    if has_permission(user, Permission.DATASET_READ_DEPARTMENT) and dataset.department_id in (
        _department_ids(user)
    ):
        return True
    return (
        has_permission(user, Permission.DATASET_READ_CANDIDATES)
        and classification != Classification.RESTRICTED
    )


def creatable_department_ids(user) -> list[int] | None:
    """None means any department; otherwise the departments this user may register datasets for."""
    if has_permission(user, Permission.DATASET_EDIT_ANY):
        return None
    if has_permission(user, Permission.DATASET_CREATE) and has_permission(
        user, Permission.DATASET_EDIT_DEPARTMENT
    ):
        return _department_ids(user)
    return []


def can_create_dataset(user) -> bool:
    allowed = creatable_department_ids(user)
    return allowed is None or bool(allowed)


def can_edit_dataset(user, dataset: Dataset) -> bool:
    if has_permission(user, Permission.DATASET_EDIT_ANY):
        return True
    return has_permission(user, Permission.DATASET_EDIT_DEPARTMENT) and dataset.department_id in (
        _department_ids(user)
    )
