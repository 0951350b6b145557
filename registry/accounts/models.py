"""Departments, users, their roles, and the record of failed sign-ins used for throttling."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Select,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from registry.db import UTCDateTime, utcnow
from registry.extensions import db
from registry.permissions import Role, permissions_for, roles_named


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Department {self.code}>"


user_departments = Table(
    "user_departments",
    db.Model.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
)


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        Index("ix_users_identity", "identity_issuer", "identity_subject", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_chair: Mapped[bool] = mapped_column(Boolean, default=False)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Spared the account-wide back-off: the owner's own usual address (signin.throttle).
    last_sign_in_address: Mapped[str | None] = mapped_column(String(64))
    # Someone who signs in with the city's account (OpenID Connect): the provider and its `sub`.
    # They have no password here (password_hash holds no hash at all: accounts.city_accounts).
    identity_issuer: Mapped[str | None] = mapped_column(String(500))
    identity_subject: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )
    departments: Mapped[list[Department]] = relationship(
        secondary=user_departments, lazy="selectin", order_by=Department.code
    )

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_set(self) -> frozenset[Role]:
        return roles_named(tuple(row.role for row in self.role_rows))

    @property
    def role_names(self) -> list[str]:
        return sorted(str(role) for role in self.role_set)

    @property
    def permission_names(self) -> list[str]:
        return sorted(str(permission) for permission in permissions_for(self.role_set))

    # The key of the browser session being started: flask-login stores what get_id() returns,
    # and the loader finds the user by it (accounts.sessions). Not a column.
    session_key = None

    def get_id(self) -> str | None:
        return self.session_key

    @property
    def has_city_account(self) -> bool:
        return self.identity_subject is not None

    @property
    def department_codes(self) -> list[str]:
        return [department.code for department in self.departments]

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class SignInFailure(db.Model):
    """One failed sign-in, kept so that throttling works across workers and hosts."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_email_at", "email", "at"),
        Index("ix_sign_in_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(db.Model):
    """A personal API token. Only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, so a person can tell their tokens apart without the secret.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it stops working: a token left in a forgotten script does not work for ever.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")

    def active_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and moment < self.expires_at

    @property
    def active(self) -> bool:
        return self.active_at(utcnow())

    @property
    def expired(self) -> bool:
        return self.revoked_at is None and not self.active


class UserSession(db.Model):
    """A signed-in browser session, kept on the server so that signing out, a password change
    and a deactivation end it for good. The cookie carries a random key; only its SHA-256 is
    stored. A session ends at `expires_at` however much it is used."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_id_ended_at", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship(lazy="joined")


def with_holder(model: type[ApiToken] | type[UserSession]) -> Select:
    """A token or a session with its holder, and the holder's roles and departments that every
    request's checks read, in one query: their own queries were three quarters of signing an
    API call in (0.75 ms, now 0.23, on SQLite). Read it with `.unique()`."""
    holder = joinedload(model.user)
    return select(model).options(
        holder.joinedload(User.role_rows), holder.joinedload(User.departments)
    )


class Invitation(db.Model):
    """A link that lets a new person set their own password, valid for a while and once. Only
    its SHA-256 is kept: the link itself goes to the person's email and nowhere else."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class IdentityProvider(db.Model):
    """The city's identity provider, for signing in with the city's account over OpenID Connect:
    one row, set by the coordinator. The client secret is kept sealed with a key drawn from the
    registry's secret key (accounts.city_accounts); `group_roles` lists, in order, which of the
    provider's groups give which role, in which department."""

    __tablename__ = "identity_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    label: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret_sealed: Mapped[str] = mapped_column(Text)
    scopes: Mapped[str] = mapped_column(String(255))
    groups_claim: Mapped[str] = mapped_column(String(100))
    # The provider's email addresses are the city's own (its IT staff set them): the first
    # sign-in links an existing account with the same address even when not marked verified.
    trust_email: Mapped[bool] = mapped_column(Boolean, default=False)
    group_roles: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
