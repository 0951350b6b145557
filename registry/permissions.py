"""Roles, permissions and the one table mapping each role to what it may do.

Object-level rules (may this user touch this record?) live in each domain's permissions.py, as
functions named after the service they guard; they build on has_permission() here.
"""

from collections.abc import Iterable
from enum import StrEnum
from functools import cache


class Role(StrEnum):
    STEWARD = "steward"
    COORDINATOR = "coordinator"
    COMMITTEE = "committee"
    STAKEHOLDER = "stakeholder"
    AUDITOR = "auditor"


ROLE_LABELS = {
    Role.STEWARD: "Data steward",
    Role.COORDINATOR: "Open data coordinator",
    Role.COMMITTEE: "Governance committee member",
    Role.STAKEHOLDER: "Community stakeholder",
    Role.AUDITOR: "Auditor",
}


class Permission(StrEnum):
    ACCOUNT_OWN = "account:own"
    USERS_MANAGE = "users:manage"
    DEPARTMENTS_MANAGE = "departments:manage"
    AUDIT_READ = "audit:read"
    DATASET_CREATE = "dataset:create"
    DATASET_EDIT_DEPARTMENT = "dataset:edit_department"
    DATASET_EDIT_ANY = "dataset:edit_any"
    # Reading: everything; a department's own records at every level; levels 1-3 in any state.
    DATASET_READ_ALL = "dataset:read_all"
    DATASET_READ_DEPARTMENT = "dataset:read_department"
    DATASET_READ_CANDIDATES = "dataset:read_candidates"
    API_TOKENS = "account:api_tokens"
    REVIEW_READ = "review:read"
    REVIEW_SETTINGS = "review:settings"
    # The full inventory, restricted records included, as one export or read.
    INVENTORY_FULL = "inventory:full"
    # The program: voting rounds, data requests, the city's priorities, scores.
    PROGRAM_MANAGE = "program:manage"
    ROUND_VOTE = "round:vote"
    ASSESS = "review:assess"
    # The workflow (reviews.workflow): the coordinator's steps (triage, publication,
    # retirement), recording the committee's decision (a chair, checked apart) and members'
    # votes. Steps on a record its editors take need DATASET_EDIT_DEPARTMENT or _ANY.
    WORKFLOW_MANAGE = "workflow:manage"
    REVIEW_DECIDE = "review:decide"
    REVIEW_VOTE = "review:vote"


# Every signed-in user may look after their own account and tokens, whatever roles they hold.
SIGNED_IN_PERMISSIONS = frozenset({Permission.ACCOUNT_OWN, Permission.API_TOKENS})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.STEWARD: frozenset(
        {
            Permission.DATASET_CREATE,
            Permission.DATASET_EDIT_DEPARTMENT,
            Permission.DATASET_READ_DEPARTMENT,
            Permission.DATASET_READ_CANDIDATES,
        }
    ),
    Role.COORDINATOR: frozenset(
        {
            Permission.USERS_MANAGE,
            Permission.DEPARTMENTS_MANAGE,
            Permission.AUDIT_READ,
            Permission.DATASET_CREATE,
            Permission.DATASET_EDIT_ANY,
            Permission.DATASET_READ_ALL,
            Permission.REVIEW_READ,
            Permission.REVIEW_SETTINGS,
            Permission.INVENTORY_FULL,
            Permission.PROGRAM_MANAGE,
            Permission.WORKFLOW_MANAGE,
        }
    ),
    Role.COMMITTEE: frozenset(
        {
            Permission.DATASET_READ_ALL,
            Permission.REVIEW_READ,
            Permission.ASSESS,
            Permission.REVIEW_DECIDE,
            Permission.REVIEW_VOTE,
        }
    ),
    Role.STAKEHOLDER: frozenset({Permission.DATASET_READ_CANDIDATES, Permission.ROUND_VOTE}),
    Role.AUDITOR: frozenset(
        {
            Permission.AUDIT_READ,
            Permission.DATASET_READ_ALL,
            Permission.REVIEW_READ,
            Permission.INVENTORY_FULL,
        }
    ),
}


@cache
def roles_named(names: tuple[str, ...]) -> frozenset[Role]:
    """A person's roles from their rows' names, asked as often as permissions are (a hundred
    times in a listing's page): made once per combination."""
    return frozenset(Role(name) for name in names)


def permissions_for(roles: Iterable[Role]) -> frozenset[Permission]:
    return _permissions_for(frozenset(roles))


@cache
def _permissions_for(roles: frozenset[Role]) -> frozenset[Permission]:
    """Asked on every read of every record (visibility, redaction): worked out once per set."""
    granted = set(SIGNED_IN_PERMISSIONS)
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def has_permission(user, permission: Permission) -> bool:
    """Anonymous visitors hold no permission; public pages need none."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return permission in permissions_for(user.role_set)
