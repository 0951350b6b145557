"""Who may reach a view: signed in, holding a permission; and reads that are audited."""

from functools import wraps

from flask_login import current_user

from registry.audit.services import record_event
from registry.db import writing
from registry.errors import PermissionDenied
from registry.extensions import db, login_manager
from registry.permissions import Permission, has_permission
from registry.web.errors import error_response, wants_json
from registry.web.requests import client_address


def record_read(tag, **event) -> None:
    """Audits a read that matters (a restricted record, the audit log, an export) in a short
    transaction of its own: on SQLite what the request read is committed first, and the event
    is written by a writer's transaction (BEGIN IMMEDIATE, in its turn: registry.turns), which
    waits for the lock instead of failing to upgrade the read.

    What the request loaded stays loaded across these commits (it was read to be shown, and the
    event changes none of it): reloading the reader and the records after each commit was most
    of the audit's cost (a coordinator's API listing of restricted records on PostgreSQL, 20,000
    records: p50 20 ms before, 9 to 12 after, the public listing's 9 to 11)."""
    session = db.session()
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        if db.engine.dialect.name == "sqlite":
            session.commit()
        with writing():
            record_event(tag, actor=current_user, address=client_address(), **event)
            session.commit()
    finally:
        session.expire_on_commit = keep


def require_signed_in(view):
    """For endpoints whose finer rules live in the service: only the sign-in is checked here."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return _ask_to_sign_in()
        return view(*args, **kwargs)

    return wrapped


def _ask_to_sign_in():
    """401 for the API; the sign-in page (coming back here afterwards) for a browser."""
    if wants_json():
        return error_response(401, "Sign in or send an API token.")
    return login_manager.unauthorized()


def require_permission(permission: Permission):
    """Signed-out visitors go to sign-in (401 for the API); signed-in users without it get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return _ask_to_sign_in()
            if not has_permission(current_user, permission):
                raise PermissionDenied()
            return view(*args, **kwargs)

        return wrapped

    return decorator
