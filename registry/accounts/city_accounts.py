"""Signing in with the city's account: OpenID Connect's authorization code flow (with PKCE and a
nonce) against the provider the coordinator set up (accounts.city_settings), through Authlib.

Who the person is here follows from what the provider says, at every sign-in:

- the account is found by the provider's subject (`sub`); the first time, by an email address
  the provider vouches for (verified, or all its addresses when the coordinator says they are
  the city's own), and a local account so found stops having a password; or else it is made;
- the person's roles and departments are those their groups give (`group_roles`); no group
  given access, no sign-in;
- someone disabled at the provider cannot sign in, since only the provider can vouch for them,
  and a session begun this way lasts CITY_ACCOUNT_SESSION_LIFETIME (an hour by default), after
  which the provider is asked again; someone deactivated here stays out whatever the provider
  says.

Services flush; callers commit.
"""

from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import current_app, request, session
from joserfc.errors import JoseError
from marshmallow import ValidationError
from sqlalchemy import select, update

from registry.accounts import services
from registry.accounts.city_settings import (
    TIMEOUT_SECONDS,
    discovery_url,
    enabled_provider,
    unseal,
)
from registry.accounts.models import IdentityProvider, Invitation, User
from registry.accounts.sessions import end_everything
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.datasets import stewardship
from registry.db import before_a_slow_call, utcnow
from registry.extensions import db
from registry.permissions import Role

# Never a password hash: werkzeug's check refuses it, so no password signs such an account in.
NO_PASSWORD = "!"  # noqa: S105 - a marker, not a secret

NOT_SET_UP = "Signing in with the city's account is not set up here. Sign in with your password."
UNREACHABLE = (
    "The city's sign-in service did not answer. Try again in a few minutes, or ask the city's "
    "IT service desk whether it is down."
)
UNVERIFIED = "The city's sign-in answered with something that could not be verified. Try again."
NO_GROUP = (
    "Your city account is not in any group given access to the registry. Ask the open data "
    "coordinator to add your group."
)
NO_EMAIL = "The city's sign-in did not give your email address, which the registry needs."
EMAIL_TAKEN = (
    "A registry account with your email address already exists, and the city's sign-in has not "
    "verified that address. Ask the open data coordinator to let the city's sign-in link "
    "accounts by email address (Manage, City sign-in)."
)
UNFIT = (
    "The city's sign-in described you in a way the registry cannot take (an email address or a "
    "group's department it does not know). Ask the open data coordinator."
)
DEACTIVATED = "Your registry account is deactivated. Ask the open data coordinator."
STALE = (
    "This sign-in was not started in this browser, or it took too long. Start again from the "
    "sign-in page."
)


@dataclass(frozen=True)
class CityOutcome:
    user: User | None = None
    refusal: str | None = None


def _client(provider: IdentityProvider) -> FlaskOAuth2App:
    return FlaskOAuth2App(
        FlaskIntegration("city"),
        name="city",
        client_id=provider.client_id,
        client_secret=unseal(provider.client_secret_sealed),
        server_metadata_url=discovery_url(provider.issuer),
        client_kwargs={
            "scope": provider.scopes,
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT_SECONDS,
        },
    )


def begin(redirect_uri: str):
    """The redirect to the provider's sign-in; its state, nonce and PKCE verifier are kept in
    this browser's session for the return (Authlib's Flask integration)."""
    provider = enabled_provider()
    if provider is None:
        return None
    return _client(provider).authorize_redirect(redirect_uri, nonce=generate_token(24))


def _claims(client: FlaskOAuth2App, groups_claim: str) -> dict[str, Any]:
    """The verified ID token's claims (signature, issuer, audience, expiry, nonce), with the
    userinfo endpoint's when the token lacks the groups."""
    token = client.authorize_access_token()
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        raise OAuthError(description="no ID token")
    if groups_claim not in claims and client.load_server_metadata().get("userinfo_endpoint"):
        more = dict(client.userinfo(token=token))
        if more.get("sub") == claims["sub"]:
            claims = more | claims
    return claims


def _started_here(state: str | None) -> bool:
    """Whether this browser started the sign-in the return names. Checked before anything the
    return says is believed or shown: a link made elsewhere (with an error text of its own
    choosing) gets the same plain refusal, and writes nothing."""
    return bool(state) and FlaskIntegration("city").get_state_data(session, state) is not None


def finish(*, address: str | None) -> CityOutcome:
    """The provider's answer, on the return to the registry: the person signed in, or why not."""
    provider = enabled_provider()
    if provider is None:
        return CityOutcome(refusal=NOT_SET_UP)
    if not _started_here(request.args.get("state")):
        return CityOutcome(refusal=STALE)
    client, groups_claim = _client(provider), provider.groups_claim
    before_a_slow_call(db.session)  # no lock is held while the provider answers
    try:
        claims = _claims(client, groups_claim)
    except OAuthError as error:
        said = error.description or error.error or "no reason given"
        return _refused(f"The city's sign-in refused: {said}", reason=str(said), address=address)
    except requests.RequestException:
        return _refused(UNREACHABLE, reason="provider unreachable", address=address)
    except (AuthlibBaseError, JoseError, ValueError, KeyError) as error:
        return _refused(UNVERIFIED, reason=type(error).__name__, address=address)
    try:
        return _signed_in(provider, claims, address=address)
    except ValidationError as error:  # what the provider said does not fit an account here
        db.session.rollback()
        return _refused(UNFIT, reason=str(error.messages)[:200], address=address)


def _refused(refusal: str, *, reason: str, address, label: str | None = None, user=None):
    record_event(
        Tag.SIGN_IN_FAILURE,
        actor_label=label or "a city account",
        subject_type="user" if user else None,
        subject_id=user.id if user else None,
        details={"reason": reason[:200], "via": "city account"},
        address=address,
    )
    return CityOutcome(refusal=refusal)


def access_from_groups(group_roles: list[dict[str, str]], groups: Any) -> tuple[list, list]:
    """The roles and department codes the person's groups give, by the coordinator's list."""
    if isinstance(groups, str):
        groups = [groups]
    held = {str(group) for group in groups} if isinstance(groups, list) else set()
    rows = [row for row in group_roles if row["group"] in held]
    roles = sorted({row["role"] for row in rows})
    departments = sorted({row["department"] for row in rows if row.get("department")})
    return roles, departments


def _signed_in(provider: IdentityProvider, claims: dict[str, Any], *, address) -> CityOutcome:
    label = str(claims.get("email") or claims["sub"])[:254]
    roles, departments = access_from_groups(provider.group_roles, claims.get(provider.groups_claim))
    if not roles:
        return _refused(NO_GROUP, reason="no group given access", address=address, label=label)
    user, refusal = _account_for(provider, claims)
    if refusal:
        return _refused(refusal, reason=refusal, address=address, label=label)
    if not user.active:
        return _refused(DEACTIVATED, reason="inactive", address=address, label=label, user=user)
    access = {"roles": roles, "departments": departments}
    if user.is_chair and Role.COMMITTEE not in roles:
        access["is_chair"] = False
    stewardship.update_user(user, access, actor=None, partial=True)
    user.last_sign_in_at = utcnow()
    user.last_sign_in_address = address
    record_event(
        Tag.SIGN_IN,
        actor=user,
        subject_type="user",
        subject_id=user.id,
        details={"via": "city account"},
        address=address,
    )
    return CityOutcome(user=user)


def _account_for(
    provider: IdentityProvider, claims: dict[str, Any]
) -> tuple[User | None, str | None]:
    """The registry account the provider's person is: by subject, by verified email, or new."""
    user = db.session.scalar(
        select(User).where(
            User.identity_issuer == provider.issuer, User.identity_subject == str(claims["sub"])
        )
    )
    if user is not None:
        return user, None
    email = str(claims.get("email") or "").strip().lower()
    if not email:
        return None, NO_EMAIL
    user = services.find_user_by_email(email)
    vouched = provider.trust_email or claims.get("email_verified") is True
    if user is not None and (user.has_city_account or not vouched):
        return None, EMAIL_TAKEN
    if user is None:
        name = str(claims.get("name") or email.split("@")[0])[:200]
        user, _ = services.create_user({"email": email, "name": name}, actor=None)
    _link(user, provider, str(claims["sub"]))
    return user, None


def _link(user: User, provider: IdentityProvider, subject: str) -> None:
    """From now on the person signs in with the city's account alone: the password they had
    here (or the temporary one) no longer works, and as with any password's end, the sessions
    and API tokens it gave end too, and so does any invitation to choose one."""
    user.identity_issuer = provider.issuer
    user.identity_subject = subject
    user.password_hash = NO_PASSWORD
    user.must_change_password = False
    sessions_ended, tokens_revoked = end_everything(user)
    db.session.execute(
        update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
        .values(used_at=utcnow())
    )
    db.session.flush()
    record_event(
        Tag.USER_CITY_ACCOUNT,
        actor=None,
        actor_label="the city's sign-in",
        subject_type="user",
        subject_id=user.id,
        details={
            "issuer": provider.issuer,
            "sessions_ended": sessions_ended,
            "tokens_revoked": tokens_revoked,
        },
    )


def session_lifetime():
    return current_app.config["CITY_ACCOUNT_SESSION_LIFETIME"]
