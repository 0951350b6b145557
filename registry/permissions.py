"""Roles, permissions and the one table mapping each role to what it may do.

Object-level rules (may this user touch this record?) live in each domain's permissions.py, as
functions named after the service they guard; they build on has_permission() here.
"""

from collections.abc import Iterable
from enum import StrEnum


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


# Every signed-in user may look after their own account, whatever roles they hold.
SIGNED_IN_PERMISSIONS = frozenset({Permission.ACCOUNT_OWN})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.STEWARD: frozenset(),
    Role.COORDINATOR: frozenset(
        {Permission.USERS_MANAGE, Permission.DEPARTMENTS_MANAGE, Permission.AUDIT_READ}
    ),
    Role.COMMITTEE: frozenset(),
    Role.STAKEHOLDER: frozenset(),
    Role.AUDITOR: frozenset({Permission.AUDIT_READ}),
}


def permissions_for(roles: Iterable[Role]) -> frozenset[Permission]:
    granted = set(SIGNED_IN_PERMISSIONS)
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def has_permission(user, permission: Permission) -> bool:
    """Anonymous visitors hold no permission; public pages need none."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return permission in permissions_for(user.role_set)
