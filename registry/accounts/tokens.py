"""Personal API tokens: issued once, stored hashed, expiring (a year by default), revocable by
their owner or a coordinator, acting with the owner's rights."""

import hashlib
import secrets
from datetime import UTC, date, datetime, time, timedelta

from marshmallow import fields, validate
from sqlalchemy import bindparam, select, update

from registry.accounts.models import ApiToken, User, with_holder
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.db import utcnow
from registry.errors import NotFound, PermissionDenied
from registry.extensions import db
from registry.permissions import Permission, has_permission
from registry.validation import InputSchema, load_input, raise_for

TOKEN_PREFIX = "cdr_"  # noqa: S105 - marks our tokens, not a secret


TOKEN_LIFETIME = timedelta(days=365)  # unless the owner chooses another day
LONGEST_LIFETIME = timedelta(days=2 * 365)


class TokenIn(InputSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    expires_on = fields.Date(
        load_default=None,
        error_messages={"invalid": "Give the day it stops working as YYYY-MM-DD."},
        metadata={"description": "The last day it works; a year from today unless given."},
    )


def _expiry(day: date | None, errors: dict) -> datetime:
    """The end of the chosen day (UTC), from tomorrow to two years ahead; a year by default."""
    now = utcnow()
    if day is None:
        return now + TOKEN_LIFETIME
    if not now.date() < day <= (now + LONGEST_LIFETIME).date():
        errors["expires_on"] = [
            "Choose a day after today and at most two years ahead "
            f"(by {(now + LONGEST_LIFETIME).date():%d %B %Y})."
        ]
    return datetime.combine(day, time.max, tzinfo=UTC)


def _digest(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: there is nothing to guess.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, raw: dict, *, actor: User | None) -> tuple[ApiToken, str]:
    data, errors = load_input(TokenIn(), raw)
    expires_at = _expiry(data.get("expires_on"), errors) if not errors.get("expires_on") else None
    raise_for(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=data["name"],
        token_hash=_digest(secret),
        prefix=secret[:12],
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        Tag.TOKEN_CREATE,
        actor=actor,
        subject_type="user",
        subject_id=user.id,
        details={
            "token_id": token.id,
            "name": token.name,
            "prefix": token.prefix,
            "expires_at": expires_at.isoformat(),
        },
    )
    return token, secret


def list_tokens(user: User) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    return list(db.session.scalars(query))


def working_tokens_query(actor: User):
    """Every token still working, for the coordinator who manages accounts, soonest to expire
    first."""
    check_manages_accounts(actor)
    working = (ApiToken.revoked_at.is_(None)) & (ApiToken.expires_at > utcnow())
    return select(ApiToken).where(working).order_by(ApiToken.expires_at, ApiToken.id)


def check_manages_accounts(actor) -> None:
    if not has_permission(actor, Permission.USERS_MANAGE):
        raise PermissionDenied("Only the coordinators who manage accounts see everyone's tokens.")


def revoke_token(user: User | None, token_id: int, *, actor: User) -> ApiToken:
    """The owner revokes their own token (another user's is simply not found); a coordinator
    who manages accounts revokes anyone's (user None)."""
    token = db.session.get(ApiToken, token_id)
    if user is None:
        check_manages_accounts(actor)
    if token is None or (user is not None and token.user_id != user.id):
        raise NotFound("There is no such token.")
    user = token.user
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
        record_event(
            Tag.TOKEN_REVOKE,
            actor=actor,
            subject_type="user",
            subject_id=user.id,
            details={"token_id": token.id, "name": token.name, "prefix": token.prefix},
        )
    return token


# A token's last use is recorded at most this often, so that reading the API with a token is not
# a write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


# Built once: every API call with a token asks it (building it took a third of its time).
_BY_DIGEST = with_holder(ApiToken).where(ApiToken.token_hash == bindparam("digest"))


def token_for_secret(secret: str) -> ApiToken | None:
    """The unrevoked token of an active owner, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    found = db.session.execute(_BY_DIGEST, {"digest": _digest(secret)})
    token = found.unique().scalar_one_or_none()
    if token is None or not token.active or not token.user.active:
        return None
    return token


def use_is_stale(token: ApiToken) -> bool:
    last = token.last_used_at
    return last is None or utcnow() - last >= LAST_USED_RESOLUTION


def note_token_use(token_id: int) -> bool:
    """Records that the token was used, unless another request just did; returns whether it
    wrote. The caller runs it as the first statement of a transaction (see the request loader),
    so on SQLite it waits for the write lock instead of failing to upgrade a read."""
    now = utcnow()
    written = db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            (ApiToken.last_used_at.is_(None))
            | (ApiToken.last_used_at < now - LAST_USED_RESOLUTION),
        )
        .values(last_used_at=now)
    ).rowcount
    return bool(written)
