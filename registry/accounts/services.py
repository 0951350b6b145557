"""Account rules: departments, users, roles, passwords, sign-in. Services flush; callers commit."""

import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from registry.accounts.models import Department, User, UserRole
from registry.accounts.passwords import password_problems
from registry.accounts.schemas import (
    DepartmentIn,
    DepartmentUpdate,
    NewPasswordIn,
    PasswordChangeIn,
    UserIn,
    UserUpdate,
)
from registry.accounts.sessions import end_everything
from registry.audit.services import changes, record_event
from registry.audit.tags import Tag
from registry.errors import Conflict, NotFound
from registry.extensions import db
from registry.permissions import Role
from registry.validation import load_input, raise_for

# Departments -------------------------------------------------------------------------------


def department_snapshot(department: Department) -> dict[str, Any]:
    return {
        "code": department.code,
        "name": department.name,
        "contact_name": department.contact_name,
        "contact_email": department.contact_email,
    }


def get_department(code: str) -> Department:
    department = db.session.scalar(select(Department).where(Department.code == code.upper()))
    if department is None:
        raise NotFound(f"There is no department with the code {code}.")
    return department


def list_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))


def _department_clashes(
    data: dict[str, Any], exclude_id: int | None = None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for field in ("code", "name"):
        if field not in data:
            continue
        column = getattr(Department, field)
        query = select(Department.id).where(func.lower(column) == data[field].lower())
        if exclude_id is not None:
            query = query.where(Department.id != exclude_id)
        if db.session.scalar(query) is not None:
            errors[field] = [f"Another department already uses this {field}."]
    return errors


def create_department(raw: dict[str, Any], *, actor: User | None) -> Department:
    data, errors = load_input(DepartmentIn(), raw)
    raise_for(errors, _department_clashes(data))
    department = Department(**data)
    db.session.add(department)
    db.session.flush()
    record_event(
        Tag.DEPARTMENT_CREATE,
        actor=actor,
        subject_type="department",
        subject_id=department.code,
        after=department_snapshot(department),
    )
    return department


def update_department(department: Department, raw: dict[str, Any], *, actor: User) -> Department:
    data, errors = load_input(DepartmentUpdate(), raw)
    raise_for(errors, _department_clashes(data, exclude_id=department.id))
    before = department_snapshot(department)
    for key, value in data.items():
        setattr(department, key, value)
    old, new = changes(before, department_snapshot(department))
    if new:
        db.session.flush()
        record_event(
            Tag.DEPARTMENT_UPDATE,
            actor=actor,
            subject_type="department",
            subject_id=department.code,
            before=old,
            after=new,
        )
    return department


# Users -------------------------------------------------------------------------------------


def user_snapshot(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "roles": sorted(user.role_set),
        "departments": user.department_codes,
        "is_chair": user.is_chair,
        "active": user.active,
    }


ROLE_FIELDS = ("roles", "departments", "is_chair")


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    return user


def active_users_with_role(role: Role) -> list[User]:
    """Everyone who can act in that role now, by name."""
    query = (
        select(User)
        .where(User.active, User.role_rows.any(UserRole.role == str(role)))
        .order_by(User.name)
    )
    return list(db.session.scalars(query))


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


CITY_ACCOUNT_ONLY = (
    "{name} signs in with the city's account and has no password here; the city's IT service "
    "desk manages it."
)
CITY_ACCOUNT_ONLY_OWN = (
    "You sign in with your city account and have no password here; the city's IT service desk "
    "manages it."
)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def temporary_password() -> str:
    """Four groups of letters and digits: long enough to be safe, easy to read out over a phone."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def _check_user_rules(
    data: dict[str, Any], *, user: User | None, actor: User | None
) -> tuple[dict[str, list[str]], list[Department]]:
    """Every rule that needs stored data, collected so that one answer names every problem."""
    errors: dict[str, list[str]] = {}
    email = data.get("email")
    if email is not None:
        other = find_user_by_email(email)
        if other is not None and other is not user:
            errors["email"] = ["Another user already has this email address."]
    codes = data.get("departments", user.department_codes if user else [])
    departments = list(db.session.scalars(select(Department).where(Department.code.in_(codes))))
    unknown = sorted(set(codes) - {department.code for department in departments})
    if unknown:
        errors["departments"] = [f"Unknown department code: {', '.join(unknown)}."]
    roles = set(data.get("roles", user.role_set if user else ()))
    if Role.STEWARD in roles and not codes:
        errors.setdefault("departments", []).append("A steward must belong to a department.")
    if data.get("is_chair") and Role.COMMITTEE not in roles:
        errors["is_chair"] = ["Only a committee member can chair the committee."]
    if user is not None and actor is not None and user.id == actor.id:
        errors.update(_own_account_problems(user, data, roles))
    return errors, departments


def _own_account_problems(user: User, data: dict[str, Any], roles: set) -> dict[str, list[str]]:
    """A coordinator editing their own account cannot lock themselves out."""
    errors = {}
    if data.get("active") is False:
        errors["active"] = ["You cannot deactivate your own account."]
    if Role.COORDINATOR in user.role_set and Role.COORDINATOR not in roles:
        errors["roles"] = ["You cannot remove your own coordinator role."]
    return errors


def create_user(
    raw: dict[str, Any], *, actor: User | None, password: str | None = None
) -> tuple[User, str | None]:
    """Creates a user. Without a password, a temporary one is generated, returned once, and must
    be changed at first sign-in."""
    data, errors = load_input(UserIn(), raw)
    if password is not None:
        errors.update(load_input(NewPasswordIn(), {"password": password})[1])
        if "password" not in errors:
            problems = password_problems(password, email=data.get("email"), name=data.get("name"))
            if problems:
                errors["password"] = problems
    rule_errors, departments = _check_user_rules(data, user=None, actor=actor)
    raise_for(errors, rule_errors)
    temporary = None if password else temporary_password()
    user = User(
        email=data["email"],
        name=data["name"],
        is_chair=bool(data.get("is_chair")),
        password_hash=hash_password(password or temporary),
        must_change_password=temporary is not None,
        active=data.get("active", True),
    )
    user.role_rows = [UserRole(role=str(role)) for role in sorted(set(data.get("roles", ())))]
    user.departments = departments
    db.session.add(user)
    db.session.flush()
    record_event(
        Tag.USER_CREATE,
        actor=actor,
        subject_type="user",
        subject_id=user.id,
        after=user_snapshot(user),
    )
    return user, temporary


@dataclass
class UserEdit:
    """What a person's edit did: the user, and the departments they no longer belong to (whose
    records they steward the caller releases: datasets.stewardship)."""

    user: User
    departments_left: list[int]


def update_user(user: User, raw: dict[str, Any], *, actor: User, partial: bool = False) -> UserEdit:
    """Edits a user. Role, department and chair changes are audited as role changes of their own."""
    data, errors = load_input(UserUpdate(partial=partial), raw)
    rule_errors, departments = _check_user_rules(data, user=user, actor=actor)
    raise_for(errors, rule_errors)
    before = user_snapshot(user)
    _apply_user_fields(user, data, departments)
    ended = end_everything(user) if before["active"] and not user.active else None
    db.session.flush()
    _record_user_change(user, before, actor=actor, ended=ended)
    left = set(before["departments"]) - {department.code for department in departments}
    left_ids = []
    if "departments" in data and left:
        query = select(Department.id).where(Department.code.in_(left))
        left_ids = list(db.session.scalars(query))
    return UserEdit(user, left_ids)


def _apply_user_fields(user: User, data: dict[str, Any], departments: list[Department]) -> None:
    for key in ("email", "name", "is_chair", "active"):
        if key in data:
            setattr(user, key, data[key])
    if "roles" in data:
        wanted = {str(role) for role in data["roles"]}
        user.role_rows = [row for row in user.role_rows if row.role in wanted] + [
            UserRole(role=role) for role in sorted(wanted - {row.role for row in user.role_rows})
        ]
    if "departments" in data:
        user.departments = departments


def _record_user_change(user: User, before: dict[str, Any], *, actor, ended) -> None:
    """Role, department and chair changes as a role change of their own; the rest as an update
    (or an activation or deactivation, when that is all that changed)."""
    old, new = changes(before, user_snapshot(user))
    role_keys = [key for key in new if key in ROLE_FIELDS]
    if role_keys:
        record_event(
            Tag.USER_ROLES_CHANGE,
            actor=actor,
            subject_type="user",
            subject_id=user.id,
            before={key: old[key] for key in role_keys},
            after={key: new[key] for key in role_keys},
        )
    other_keys = [key for key in new if key not in ROLE_FIELDS]
    if other_keys:
        tag = Tag.USER_UPDATE
        if other_keys == ["active"]:
            tag = Tag.USER_ACTIVATE if user.active else Tag.USER_DEACTIVATE
        record_event(
            tag,
            actor=actor,
            subject_type="user",
            subject_id=user.id,
            before={key: old[key] for key in other_keys},
            after={key: new[key] for key in other_keys},
            details=_ended(ended),
        )


def set_user_active(user: User, active: bool, *, actor: User) -> User:
    update_user(user, {"active": active}, actor=actor, partial=True)
    return user


def reset_password(user: User, *, actor: User) -> str:
    """Gives the user a temporary password to change at next sign-in, and signs them out."""
    if user.has_city_account:
        raise Conflict(CITY_ACCOUNT_ONLY.format(name=user.name))
    temporary = temporary_password()
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    ended = end_everything(user)
    db.session.flush()
    record_event(
        Tag.USER_PASSWORD_RESET,
        actor=actor,
        subject_type="user",
        subject_id=user.id,
        details=_ended(ended),
    )
    return temporary


def _ended(ended: tuple[int, int] | None) -> dict | None:
    if ended is None:
        return None
    return {"sessions_ended": ended[0], "tokens_revoked": ended[1]}


def change_own_password(user: User, raw: dict[str, Any]) -> User:
    """The user proves who they are with the current password; other sessions are signed out."""
    data, errors = load_input(PasswordChangeIn(), raw)
    rule_errors: dict[str, list[str]] = {}
    current = data.get("current_password")
    if user.has_city_account:
        rule_errors["current_password"] = [CITY_ACCOUNT_ONLY_OWN]
    elif current is not None and not check_password_hash(user.password_hash, current):
        rule_errors["current_password"] = ["This is not your current password."]
    elif current is not None and data.get("new_password") == current:
        rule_errors["new_password"] = ["Choose a password different from the current one."]
    elif data.get("new_password"):
        problems = password_problems(data["new_password"], email=user.email, name=user.name)
        if problems:
            rule_errors["new_password"] = problems
    raise_for(errors, rule_errors)
    user.password_hash = hash_password(data["new_password"])
    user.must_change_password = False
    ended = end_everything(user)
    db.session.flush()
    record_event(
        Tag.USER_PASSWORD_CHANGE,
        actor=user,
        subject_type="user",
        subject_id=user.id,
        details=_ended(ended),
    )
    return user


def list_users_query(
    *, q: str | None = None, role: str | None = None, department: str | None = None
):
    query = select(User).order_by(User.name)
    if q:
        needle = q.strip().lower()
        query = query.where(
            func.lower(User.name).contains(needle, autoescape=True)
            | User.email.contains(needle, autoescape=True)
        )
    if role:
        query = query.where(User.role_rows.any(UserRole.role == role))
    if department:
        query = query.where(User.departments.any(Department.code == department.upper()))
    return query
