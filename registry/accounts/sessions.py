"""Signed-in sessions, kept on the server: started at sign-in with an absolute lifetime, ended
by signing out, and all ended (with every API token) when a password changes or is reset or the
account is deactivated. Services flush; callers commit."""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam, update

from registry.accounts.models import ApiToken, User, UserSession, with_holder
from registry.db import utcnow
from registry.extensions import db


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user: User, *, address: str | None = None, lifetime=None) -> str:
    """A new session for the user, lasting the configured lifetime unless told; returns the key
    the cookie carries (shown nowhere else)."""
    key = secrets.token_urlsafe(32)
    lifetime = lifetime or current_app.config["PERMANENT_SESSION_LIFETIME"]
    if not isinstance(lifetime, timedelta):
        lifetime = timedelta(seconds=int(lifetime))
    now = utcnow()
    db.session.add(
        UserSession(
            user_id=user.id,
            key_hash=_digest(key),
            created_at=now,
            expires_at=now + lifetime,
            address=address,
        )
    )
    db.session.flush()
    return key


# Built once: every signed-in page asks it.
_BY_DIGEST = with_holder(UserSession).where(UserSession.key_hash == bindparam("digest"))


def user_for_session(key: str) -> User | None:
    """The active user of a session that has neither ended nor expired."""
    if not key or len(key) > 128:
        return None
    found = db.session.execute(_BY_DIGEST, {"digest": _digest(key)})
    session = found.unique().scalar_one_or_none()
    if session is None or session.ended_at is not None or session.expires_at <= utcnow():
        return None
    return session.user if session.user.active else None


def end_session(key: str) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.key_hash == _digest(key), UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def end_everything(user: User) -> tuple[int, int]:
    """Ends every session and revokes every API token of the account; returns how many of each.
    A token revoked here stays revoked if the account is reactivated."""
    now = utcnow()
    sessions = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .values(ended_at=now)
    ).rowcount
    tokens = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount
    return sessions, tokens
