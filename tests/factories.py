"""Test factories that create records through the same services the app uses."""

import itertools

from registry.accounts import services as accounts
from registry.extensions import db

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def department(code: str | None = None, name: str | None = None):
    number = next(_counter)
    code = code or f"D{number}"
    created = accounts.create_department(
        {"code": code, "name": name or f"Department {code}"}, actor=None
    )
    db.session.commit()
    return created


def user(
    *roles: str, departments=(), email: str | None = None, chair: bool = False, password=PASSWORD
):
    number = next(_counter)
    departments = list(departments)
    if "steward" in roles and not departments:
        departments = [department().code]
    created, _ = accounts.create_user(
        {
            "email": email or f"user{number}@city.example",
            "name": f"Test User {number}",
            "roles": list(roles),
            "departments": departments,
            "is_chair": chair,
        },
        actor=None,
        password=password,
    )
    db.session.commit()
    return created
