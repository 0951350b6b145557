"""Invitations: the coordinator adds a person and the registry emails them a link, valid for
INVITATION_HOURS and once, on which they choose their own password. Nobody else ever knows it
(in place of a temporary password the coordinator reads out). Only the link's SHA-256 is kept;
a new invitation ends the person's earlier ones."""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select, update

from registry.accounts.models import Invitation, User
from registry.accounts.passwords import password_problems
from registry.accounts.schemas import InvitationAcceptIn
from registry.accounts.services import hash_password
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.db import utcnow
from registry.errors import Conflict
from registry.extensions import db
from registry.notifications.services import send_email
from registry.validation import load_input, raise_for

INVITATION_HOURS = 72
GONE = (
    "This invitation link has expired or was used already. Ask the open data coordinator for a "
    "new one."
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(user: User, *, actor: User) -> tuple[str, datetime, bool]:
    """A new invitation for someone who has not set a password yet: the link's token, until
    when it works, and whether it was emailed (False where the registry sends no mail, and
    the coordinator passes the link on)."""
    if user.last_sign_in_at is not None:
        raise Conflict(f"{user.name} has signed in already: reset their password instead.")
    if not user.active:
        raise Conflict(f"{user.name}'s account is deactivated: reactivate it first.")
    now = utcnow()
    db.session.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=INVITATION_HOURS)
    db.session.add(
        Invitation(
            user_id=user.id,
            token_hash=_digest(token),
            expires_at=expires,
            created_by_id=actor.id,
            created_at=now,
        )
    )
    user.must_change_password = True
    db.session.flush()
    base = current_app.config.get("BASE_URL", "")
    emailed = send_email(
        user.email,
        "You are invited to the city's data registry",
        f"{actor.name} added you to the data registry. Choose your password here (the link "
        f"works once, until {expires:%d %B %Y, %H:%M} UTC):\n\n{base}/invitation/{token}",
    )
    record_event(
        Tag.USER_INVITE,
        actor=actor,
        subject_type="user",
        subject_id=user.id,
        details={"expires_at": expires.isoformat(), "emailed": emailed},
    )
    return token, expires, emailed


def find_invitation(token: str) -> Invitation | None:
    """The invitation a link names, if it still works."""
    found = db.session.scalar(select(Invitation).where(Invitation.token_hash == _digest(token)))
    if found is None or found.used_at is not None or found.expires_at <= utcnow():
        return None
    if not found.user.active:
        return None
    return found


def accept(token: str, raw: dict[str, Any]) -> User:
    """The invited person's own password, set once; the link stops working."""
    invitation = find_invitation(token)
    if invitation is None:
        raise ValidationError({"_schema": [GONE]})
    user = invitation.user
    data, errors = load_input(InvitationAcceptIn(), raw)
    rules: dict[str, list[str]] = {}
    if data.get("password") and data.get("confirm") and data["password"] != data["confirm"]:
        rules["confirm"] = ["The two passwords differ: type the same one twice."]
    elif data.get("password"):
        problems = password_problems(data["password"], email=user.email, name=user.name)
        if problems:
            rules["password"] = problems
    raise_for(errors, rules)
    now = utcnow()
    # Claimed in one statement, so that of two acceptances at once (two tabs, a double click)
    # only one sets a password: the other finds the link spent.
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now)
    ).rowcount
    if claimed != 1:
        raise ValidationError({"_schema": [GONE]})
    user.password_hash = hash_password(data["password"])
    user.must_change_password = False
    user.last_sign_in_at = now  # the page signs them in: no invitation may follow this one
    db.session.flush()
    record_event(Tag.USER_INVITE_ACCEPT, actor=user, subject_type="user", subject_id=user.id)
    return user
