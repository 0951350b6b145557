"""Account endpoints of the JSON API: who am I, and the list of departments."""

from flask import Blueprint, jsonify
from flask_login import current_user

from registry.accounts.schemas import DepartmentListOut, MeOut
from registry.accounts.services import list_departments
from registry.api.operations import operation
from registry.permissions import Permission
from registry.web.access import require_permission


@operation(
    "The signed-in user, with roles and permissions",
    ok=(200, "The user", MeOut),
    signed_in=True,
)
@require_permission(Permission.ACCOUNT_OWN)
def me():
    return jsonify(MeOut().dump(current_user))


@operation("The city's departments", ok=(200, "All", DepartmentListOut))
def departments():
    """Department names and codes are public: the public inventory is grouped by them."""
    return jsonify(DepartmentListOut().dump({"items": list_departments()}))


def register(api: Blueprint) -> None:
    api.add_url_rule("/me", view_func=me, methods=["GET"])
    api.add_url_rule("/departments", view_func=departments, methods=["GET"])
