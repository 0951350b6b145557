"""Departments as an imported file names them: matched to the registry's by code, by name in any
case or punctuation, or by both as "Department of Transportation (DOT)"; those the registry
lacks listed once each (not once per row), and created in the same import when a coordinator
asks (`--create-departments`, or the box on the import page)."""

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from registry.accounts.models import Department
from registry.accounts.services import create_department
from registry.errors import PermissionDenied
from registry.extensions import db
from registry.permissions import Permission, has_permission
from registry.transfer.headers import squash

NAME_AND_CODE = re.compile(r"^(.*?)\s*[(\[]\s*([A-Za-z0-9&.\- ]{1,20})\s*[)\]]\s*$")
CODE = re.compile(r"^[A-Z][A-Z0-9]{1,15}$")
# Words left out of a code made from a name's initials.
SMALL_WORDS = {"of", "the", "and", "for", "on", "in", "a", "an", "to"}


def known_departments() -> tuple[dict[str, str], dict[str, str]]:
    """The registry's departments by lower-case code and by squashed name (read once a file)."""
    rows = db.session.execute(select(Department.code, Department.name)).all()
    return {code.lower(): code for code, _ in rows}, {squash(name): code for code, name in rows}


def department_code(value: Any, codes: dict, names: dict) -> str | None:
    text = str(value or "").strip()
    found = codes.get(text.lower()) or names.get(squash(text))
    if found is None and (both := NAME_AND_CODE.match(text)):
        found = codes.get(both.group(2).strip().lower()) or names.get(squash(both.group(1)))
    return found


def missing_departments(values: Iterable[tuple[int, Any]], known) -> dict[str, list[int]]:
    """The departments the rows name that the registry lacks, each with its row numbers, in
    the order the file first names them."""
    codes, names = known
    missing: dict[str, list[int]] = {}
    for number, value in values:
        text = str(value or "").strip()
        if text and department_code(text, codes, names) is None:
            missing.setdefault(text, []).append(number)
    return missing


def _code_for(text: str, taken: set[str]) -> tuple[str, str]:
    """The code and name for a department a file names: its own code in brackets if it gives
    one, else the initials of its name (the first letters of a one-word name), made unique."""
    name, code = text, ""
    if both := NAME_AND_CODE.match(text):
        name, code = both.group(1).strip() or text, re.sub(r"[^A-Z0-9]", "", both.group(2).upper())
    if not CODE.match(code):
        words = [w for w in re.findall(r"[A-Za-z0-9]+", name) if w.lower() not in SMALL_WORDS]
        code = "".join(word[0] for word in words).upper() if len(words) > 1 else ""
        if not CODE.match(code):
            letters = re.sub(r"[^A-Z0-9]", "", name.upper())
            code = letters[:4] if letters[:1].isalpha() else "D" + letters[:3]
        code = code[:12] if len(code) >= 2 else (code + "X")
    unique, number = code, 2
    while unique in taken:
        unique, number = f"{code}{number}", number + 1
    return unique, name[:200]


def create_missing(names: Iterable[str], *, actor) -> dict[str, str]:
    """Creates each department (as an audited service call); returns the code each got."""
    if not has_permission(actor, Permission.DEPARTMENTS_MANAGE):
        raise PermissionDenied("Only a coordinator adds departments.")
    taken = set(db.session.scalars(select(Department.code)))
    created = {}
    for text in names:
        code, name = _code_for(text, taken)
        create_department({"code": code, "name": name}, actor=actor)
        taken.add(code)
        created[text] = code
    return created
