"""Who may register and edit which datasets. Who may read what is datasets.visibility."""

from registry.datasets.models import Dataset
from registry.datasets.visibility import department_ids, in_department
from registry.permissions import Permission, has_permission


def creatable_department_ids(user) -> list[int] | None:
    """None means any department; otherwise the departments this user may register datasets for."""
    if has_permission(user, Permission.DATASET_EDIT_ANY):
        return None
    if has_permission(user, Permission.DATASET_CREATE) and has_permission(
        user, Permission.DATASET_EDIT_DEPARTMENT
    ):
        return department_ids(user)
    return []


def can_create_dataset(user) -> bool:
    allowed = creatable_department_ids(user)
    return allowed is None or bool(allowed)


def can_edit_dataset(user, dataset: Dataset) -> bool:
    return can_edit_department_records(user, dataset.department_id)


def can_edit_department_records(user, department_id: int) -> bool:
    """Whether this user edits the records of a department (all of them, or their own's)."""
    if has_permission(user, Permission.DATASET_EDIT_ANY):
        return True
    return has_permission(user, Permission.DATASET_EDIT_DEPARTMENT) and in_department(
        user, department_id
    )
