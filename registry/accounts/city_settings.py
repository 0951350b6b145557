"""How the registry reaches the city's identity provider, as the coordinator sets it up: the
issuer, the client the provider registered for the registry, and which of the provider's groups
give which role in which department. Services flush; callers commit.

The client secret is sealed (Fernet) with a key drawn from the registry's secret key, so a copy
of the database alone does not give it away; a new secret key means entering it again.
"""

import base64
import hashlib
import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from marshmallow import fields, validate
from sqlalchemy import select

from registry.accounts.models import Department, IdentityProvider, User
from registry.audit.services import changes, record_event
from registry.audit.tags import Tag
from registry.extensions import db
from registry.permissions import ROLE_LABELS, Role
from registry.validation import InputSchema, load_input, raise_for

SETTINGS_ID = 1
DISCOVERY_PATH = "/.well-known/openid-configuration"
TIMEOUT_SECONDS = 10
DEFAULT_LABEL = "City account"
DEFAULT_SCOPES = "openid email profile"
DEFAULT_GROUPS_CLAIM = "groups"
NEEDED_METADATA = ("authorization_endpoint", "token_endpoint", "jwks_uri")


class ProviderIn(InputSchema):
    enabled = fields.Boolean(load_default=False)
    trust_email = fields.Boolean(load_default=False)
    label = fields.String(load_default=DEFAULT_LABEL, validate=validate.Length(max=100))
    issuer = fields.String(required=True, validate=validate.Length(max=500))
    client_id = fields.String(required=True, validate=validate.Length(max=255))
    client_secret = fields.String(load_default=None, validate=validate.Length(max=1000))
    scopes = fields.String(load_default=DEFAULT_SCOPES, validate=validate.Length(max=255))
    groups_claim = fields.String(
        load_default=DEFAULT_GROUPS_CLAIM, validate=validate.Length(max=100)
    )
    group_roles = fields.String(load_default="", validate=validate.Length(max=20_000))


# The secret ----------------------------------------------------------------------------------


def _sealer() -> Fernet:
    key = hashlib.sha256(b"registry identity provider:" + current_app.secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    return _sealer().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str | None:
    """The client secret, or None when it was sealed under another secret key."""
    try:
        return _sealer().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None


# Reading the settings --------------------------------------------------------------------------


def provider_settings() -> IdentityProvider | None:
    return db.session.get(IdentityProvider, SETTINGS_ID)


def enabled_provider() -> IdentityProvider | None:
    provider = provider_settings()
    return provider if provider is not None and provider.enabled else None


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + DISCOVERY_PATH


def group_roles_as_text(group_roles: list[dict[str, str]]) -> str:
    return "\n".join(
        " | ".join(
            filter(None, (row["group"], ROLE_LABELS[Role(row["role"])], row.get("department")))
        )
        for row in group_roles
    )


def settings_form(provider: IdentityProvider | None) -> dict[str, Any]:
    """The settings as the page's form shows them (never the secret)."""
    if provider is None:
        return {
            "label": DEFAULT_LABEL,
            "scopes": DEFAULT_SCOPES,
            "groups_claim": DEFAULT_GROUPS_CLAIM,
        }
    return {
        "enabled": provider.enabled,
        "trust_email": provider.trust_email,
        "label": provider.label,
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "scopes": provider.scopes,
        "groups_claim": provider.groups_claim,
        "group_roles": group_roles_as_text(provider.group_roles),
    }


# Checking what was entered -----------------------------------------------------------------------


def _issuer_problem(issuer: str) -> str | None:
    """HTTPS, or plain HTTP to a provider on this very machine (as OAuth allows for loopback)."""
    parts = urlsplit(issuer)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname:
        try:
            loopback = (
                parts.hostname == "localhost" or ipaddress.ip_address(parts.hostname).is_loopback
            )
        except ValueError:
            loopback = False
        if loopback:
            return None
    return "Give the provider's address starting with https:// (for example https://login.example.gov)."


def _role_named(word: str) -> Role | None:
    word = word.strip().lower()
    for role, label in ROLE_LABELS.items():
        if word in (str(role), label.lower()):
            return role
    return None


def _department_named(word: str) -> Department | None:
    word = word.strip().lower()
    for department in db.session.scalars(select(Department)):
        if word in (department.code.lower(), department.name.lower()):
            return department
    return None


def _group_line(number: int, line: str) -> tuple[dict[str, str] | None, str | None]:
    parts = [part.strip() for part in re.split(r"\t|\|", line, maxsplit=2)]
    group, role_word, department_word = [*parts, "", ""][:3]
    where = f"Line {number}"
    if not group or not role_word:
        return (
            None,
            f"{where}: give the group, then the role "
            "(for example: Parks staff | Data steward | PW).",
        )
    role = _role_named(role_word)
    if role is None:
        roles = ", ".join(ROLE_LABELS.values())
        return None, f"{where}: “{role_word}” is not a role here; use one of {roles}."
    row = {"group": group, "role": str(role)}
    if department_word:
        department = _department_named(department_word)
        if department is None:
            return None, f"{where}: there is no department “{department_word}”."
        row["department"] = department.code
    elif role == Role.STEWARD:
        return None, f"{where}: a data steward's group needs a department."
    return row, None


def parse_group_roles(text: str) -> tuple[list[dict[str, str]], list[str]]:
    """Each line: the provider's group, the role it gives, and (for stewards, and optionally for
    others) the department, apart by "|" or tabs. Returns the rows and what is wrong, by line."""
    rows, problems, seen = [], [], set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        row, problem = _group_line(number, line)
        if problem:
            problems.append(problem)
            continue
        key = (row["group"], row["role"], row.get("department"))
        if key in seen:
            problems.append(f"Line {number}: the same group, role and department are listed twice.")
        seen.add(key)
        rows.append(row)
    return rows, problems


def provider_metadata(issuer: str) -> tuple[dict[str, Any] | None, str | None]:
    """The provider's discovery document, or why it could not be used."""
    url = discovery_url(issuer)
    try:
        answer = requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False)
        answer.raise_for_status()
        metadata = answer.json()
    except (requests.RequestException, ValueError) as error:
        return (
            None,
            f"The provider did not answer at {url} ({type(error).__name__}). Check the address.",
        )
    if not isinstance(metadata, dict) or metadata.get("issuer") != issuer:
        named = metadata.get("issuer") if isinstance(metadata, dict) else None
        return None, f"The provider names its issuer “{named}”; enter exactly that."
    missing = [key for key in NEEDED_METADATA if not metadata.get(key)]
    if missing:
        return None, f"The provider's discovery document lacks {', '.join(missing)}."
    return metadata, None


def _connection_errors(data: dict[str, Any], provider: IdentityProvider | None) -> dict:
    """The provider's address and the client's secret; when turned on, the provider answering."""
    errors: dict[str, list[str]] = {}
    issuer = data.get("issuer")
    if issuer and (problem := _issuer_problem(issuer)):
        errors["issuer"] = [problem]
    if not data.get("client_secret") and (
        provider is None or unseal(provider.client_secret_sealed) is None
    ):
        errors["client_secret"] = ["Give the client secret the provider issued for the registry."]
    if data.get("enabled") and issuer and "issuer" not in errors:
        _metadata, problem = provider_metadata(issuer)
        if problem:
            errors["issuer"] = [problem]
    return errors


def _rule_errors(data: dict[str, Any], provider: IdentityProvider | None) -> dict[str, list[str]]:
    errors = _connection_errors(data, provider)
    if "openid" not in (data.get("scopes") or "").split():
        errors["scopes"] = ["The scopes must include openid."]
    rows, problems = parse_group_roles(data.get("group_roles") or "")
    if problems:
        errors["group_roles"] = problems
    elif data.get("enabled") and not rows:
        errors["group_roles"] = ["Give at least one group, or nobody could sign in."]
    data["group_roles"] = rows
    return errors


# Saving ------------------------------------------------------------------------------------------


def _snapshot(provider: IdentityProvider) -> dict[str, Any]:
    return {
        key: value for key, value in settings_form(provider).items() if key != "group_roles"
    } | {"group_roles": provider.group_roles}


def save_settings(raw: dict[str, Any], *, actor: User) -> IdentityProvider:
    """Sets up (or changes, or turns off) signing in with the city's account. When it is on, the
    provider must answer its discovery document under the issuer given, before anything is saved."""
    provider = provider_settings()
    data, errors = load_input(ProviderIn(), raw)
    raise_for(errors, _rule_errors(data, provider))
    before = _snapshot(provider) if provider else {}
    if provider is None:
        provider = IdentityProvider(id=SETTINGS_ID)
        db.session.add(provider)
    secret = data.pop("client_secret", None)
    for key, value in data.items():
        setattr(provider, key, value)
    if secret:
        provider.client_secret_sealed = seal(secret)
    db.session.flush()
    old, new = changes(before, _snapshot(provider))
    if new or secret:
        record_event(
            Tag.CITY_SIGN_IN_SETTINGS,
            actor=actor,
            subject_type="identity_provider",
            subject_id=provider.issuer,
            before=old,
            after=new,
            details={"client_secret": "replaced"} if secret else None,
        )
    return provider
