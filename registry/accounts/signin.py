"""Signing in: checking a password, and throttling repeated failures so that an attacker is
slowed while an account's owner can still get in. Services flush; callers commit."""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from registry.accounts.models import SignInFailure, User
from registry.accounts.services import find_user_by_email
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.db import utcnow
from registry.extensions import db

GENERIC_SIGN_IN_ERROR = "That email and password do not match an active account."


@cache
def _dummy_hash(method: str) -> str:
    """Checked against when the email is unknown, so both cases take the same time."""
    return generate_password_hash(secrets.token_hex(16), method=method)


@dataclass(frozen=True)
class SignInOutcome:
    user: User | None = None
    refusal: str | None = None
    throttled: bool = False
    retry_after: int | None = None  # seconds, when throttled


def _failures(*conditions, since) -> tuple[int, object]:
    """How many failures match since then, and when the last one was."""
    row = db.session.execute(
        select(func.count(), func.max(SignInFailure.at)).where(
            SignInFailure.at >= since, *conditions
        )
    ).one()
    return row[0], row[1]


def throttle(email: str, address: str, *, now) -> tuple[str, int] | None:
    """Why this attempt must wait and for how many seconds, or None. Nothing here lets a
    stranger lock an owner out:

    - an address that failed too often for one account is refused for that account only;
    - an address that failed too often over any accounts (password spraying) is refused;
    - an account that many addresses failed for makes new addresses wait, longer with each
      failure (at most 15 minutes), while the address its owner last signed in from is spared.
    """
    config = current_app.config
    minutes = config["SIGN_IN_WINDOW_MINUTES"]
    window = now - timedelta(minutes=minutes)
    pair, _ = _failures(
        SignInFailure.email == email, SignInFailure.address == address, since=window
    )
    if pair >= config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"]:
        return (
            "Too many failed sign-ins for this account from here. Wait "
            f"{minutes} minutes and try again, or ask the open data coordinator to reset your "
            "password.",
            minutes * 60,
        )
    by_address, _ = _failures(SignInFailure.address == address, since=window)
    if by_address >= config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"]:
        return (
            f"Too many failed sign-ins from this address. Wait {minutes} minutes and try again.",
            minutes * 60,
        )
    account, last = _failures(SignInFailure.email == email, since=window)
    over = account - config["SIGN_IN_ACCOUNT_BACKOFF_AFTER"]
    if over >= 0:
        user = find_user_by_email(email)
        if user is None or user.last_sign_in_address != address:
            wait = timedelta(seconds=min(2**over, 900))
            if now < last + wait:
                seconds = int((last + wait - now).total_seconds()) + 1
                return (
                    "This account has had many failed sign-ins from several places. "
                    f"Wait {seconds} seconds and try again.",
                    seconds,
                )
    return None


def authenticate(email: str, password: str, *, address: str) -> SignInOutcome:
    """Checks a sign-in, throttling repeated failures (see throttle()).

    Failures are stored rows, not worker memory, so the limits hold across workers and hosts.
    The refusal never says whether the email exists, and an unknown email is throttled exactly
    like a known one.
    """
    config = current_app.config
    email = email.strip().lower()
    now = utcnow()
    waiting = throttle(email, address, now=now)
    if waiting is not None:
        record_event(Tag.SIGN_IN_THROTTLED, actor_label=email, address=address)
        return SignInOutcome(refusal=waiting[0], throttled=True, retry_after=waiting[1])
    user = find_user_by_email(email)
    stored = user.password_hash if user else _dummy_hash(config["PASSWORD_HASH_METHOD"])
    password_ok = check_password_hash(stored, password)
    if user is None or not password_ok or not user.active:
        reason = (
            "unknown account"
            if user is None
            else "signs in with the city's account"
            if user.has_city_account
            else "wrong password"
            if not password_ok
            else "inactive"
        )
        db.session.add(SignInFailure(email=email, address=address, at=now))
        record_event(
            Tag.SIGN_IN_FAILURE,
            actor_label=email,
            subject_type="user" if user else None,
            subject_id=user.id if user else None,
            details={"reason": reason},
            address=address,
        )
        return SignInOutcome(refusal=GENERIC_SIGN_IN_ERROR)
    db.session.execute(
        delete(SignInFailure).where(SignInFailure.email == email, SignInFailure.address == address)
    )
    user.last_sign_in_at = now
    user.last_sign_in_address = address
    record_event(Tag.SIGN_IN, actor=user, subject_type="user", subject_id=user.id, address=address)
    return SignInOutcome(user=user)


def record_sign_out(user: User, *, address: str | None) -> None:
    record_event(Tag.SIGN_OUT, actor=user, subject_type="user", subject_id=user.id, address=address)
