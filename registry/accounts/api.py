"""Account endpoints of the JSON API: who am I, and the list of departments."""

from flask import Blueprint, jsonify
from flask_login import current_user

from registry.accounts.schemas import DepartmentOut, UserOut
from registry.accounts.services import list_departments
from registry.http import require_permission
from registry.permissions import Permission, permissions_for


@require_permission(Permission.ACCOUNT_OWN)
def me():
    body = UserOut().dump(current_user)
    body["permissions"] = sorted(permissions_for(current_user.role_set))
    return jsonify(body)


def departments():
    """Department names and codes are public: the public inventory is grouped by them."""
    return jsonify(items=DepartmentOut(many=True).dump(list_departments()))


def register(api: Blueprint) -> None:
    api.add_url_rule("/me", view_func=me, methods=["GET"])
    api.add_url_rule("/departments", view_func=departments, methods=["GET"])
