"""Who keeps a measure and reports its values: the coordinator, for any department; a steward,
for the measures their own department is accountable for. Anyone may read measures: the
records behind them are shown by each record's own rule."""

from registry.datasets.visibility import in_department
from registry.permissions import Permission, has_permission


def can_keep_measures(user) -> bool:
    """Whether a person may keep measures of some department (the pages show the buttons)."""
    return has_permission(user, Permission.PROGRAM_MANAGE) or (
        has_permission(user, Permission.DATASET_EDIT_DEPARTMENT) and bool(user.departments)
    )


def can_keep_measure(user, department_id: int) -> bool:
    """Whether a person may define, edit or report the measures of this department."""
    if has_permission(user, Permission.PROGRAM_MANAGE):
        return True
    return has_permission(user, Permission.DATASET_EDIT_DEPARTMENT) and in_department(
        user, department_id
    )
