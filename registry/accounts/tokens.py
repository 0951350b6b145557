"""Personal API tokens: issued once, stored hashed, revocable, acting with the owner's rights."""

import hashlib
import secrets
from datetime import timedelta

from marshmallow import fields, validate
from sqlalchemy import select, update

from registry.accounts.models import ApiToken, User
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.db import utcnow
from registry.errors import NotFound
from registry.extensions import db
from registry.validation import InputSchema, load_input, raise_for

TOKEN_PREFIX = "cdr_"  # noqa: S105 - marks our tokens, not a secret


class TokenIn(InputSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


def _digest(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: there is nothing to guess.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, raw: dict, *, actor: User | None) -> tuple[ApiToken, str]:
    data, errors = load_input(TokenIn(), raw)
    raise_for(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=data["name"], token_hash=_digest(secret), prefix=secret[:12]
    )
    db.session.add(token)
    db.session.flush()
    record_event(
        Tag.TOKEN_CREATE,
        actor=actor,
        subject_type="user",
        subject_id=user.id,
        details={"token_id": token.id, "name": token.name, "prefix": token.prefix},
    )
    return token, secret


def list_tokens(user: User) -> list[ApiToken]:
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    return list(db.session.scalars(query))


def revoke_token(user: User, token_id: int, *, actor: User) -> ApiToken:
    """Only the owner revokes from their profile; another user's token is simply not found."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("There is no such token.")
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


def token_for_secret(secret: str) -> ApiToken | None:
    """The unrevoked token of an active owner, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
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
