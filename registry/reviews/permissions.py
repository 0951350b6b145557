"""What a user may do in a dataset's review now: the workflow table's roles plus the rules that
depend on the record (whose department, who chairs, who is recused)."""

from registry.errors import PermissionDenied
from registry.permissions import Permission, Role, has_permission
from registry.reviews.workflow import Action, State, allowed_actions, before_committee


def available_actions(user, dataset) -> list[Action]:
    from registry.reviews.services import check_object_rules

    if user is None or not getattr(user, "is_authenticated", False):
        return []
    from registry.reviews.rereview import is_open

    actions = []
    for action in allowed_actions(State(dataset.status), user.role_set, is_open(dataset)):
        try:
            check_object_rules(dataset, action, user)
        except PermissionDenied:
            continue
        actions.append(action)
    return actions


def can_read_votes(user) -> bool:
    return has_permission(user, Permission.REVIEW_READ)


def can_vote(user, dataset) -> bool:
    from registry.reviews.rereview import is_open
    from registry.reviews.services import is_recused

    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and Role.COMMITTEE in user.role_set
        and before_committee(State(dataset.status), is_open(dataset))
        and not is_recused(user, dataset)
    )
