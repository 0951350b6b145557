"""What the audit log's people and records are called, for its sentences and its person filter:
the audit domain imports no other, so the app gives it these functions (audit.words.NAMES)."""

from flask import Flask
from sqlalchemy import func, or_, select

from registry.accounts.models import User
from registry.audit.words import NAMES
from registry.datasets.models import Dataset
from registry.datasets.visibility import readable_by
from registry.extensions import db


def people_named(ids: set[int], _reader) -> dict[int, str]:
    query = select(User.id, User.name).where(User.id.in_(ids))
    return dict(db.session.execute(query).tuples().all())


def titles_of(identifiers: set[str], reader) -> dict[str, str]:
    """Titles of the records the reader may read; the others stay identifiers."""
    query = select(Dataset.identifier, Dataset.title).where(
        Dataset.identifier.in_(identifiers), readable_by(reader)
    )
    return dict(db.session.execute(query).tuples().all())


def people_matching(text: str) -> list[int]:
    """People whose email is the text, or whose name contains it (in any case)."""
    text = text.strip().lower()
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    query = select(User.id).where(
        or_(func.lower(User.email) == text, func.lower(User.name).like(pattern, escape="\\"))
    )
    return list(db.session.scalars(query))


def init_audit_subjects(app: Flask) -> None:
    app.extensions[NAMES] = {
        "people": people_named,
        "datasets": titles_of,
        "match_people": people_matching,
    }
