"""Telling people what they must act on: an inbox entry each, and an email when mail is set up.

notify() only writes rows in the caller's transaction; nothing leaves the registry until that
transaction commits. deliver_pending() then sends the outbox, from the app's background sender
(notifications.sender) or `registry mail send`, never inside a user's request. Each message is
claimed by one sender before it goes, and a failure is recorded on it for a later attempt, so a
mail server being down never blocks or loses a change and no message goes out twice.
"""

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import func, select, update

from registry.db import utcnow
from registry.extensions import db
from registry.notifications.models import Notification, OutboundEmail

MAIL_QUEUED = "registry.mail_queued"
MAX_ATTEMPTS = 10


def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def notify(
    users: Iterable,
    subject: str,
    body: str,
    link: str | None = None,
    kind: str = "General",
) -> int:
    """One inbox entry per active user (each once), and their email if mail is configured.
    `kind` files it in the inbox ("Submitted", "Re-review"...), for the inbox's filter."""
    seen: set[int] = set()
    for user in users:
        if user is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        db.session.add(
            Notification(user_id=user.id, kind=kind, subject=subject, body=body, link=link)
        )
        if mail_enabled():
            text = body + (f"\n\n{current_app.config.get('BASE_URL', '')}{link}" if link else "")
            db.session.add(OutboundEmail(to_address=user.email, subject=subject, body=text))
            db.session.info[MAIL_QUEUED] = True
    db.session.flush()
    return len(seen)


def send_email(address: str, subject: str, body: str) -> bool:
    """An email to someone who may have no account (or cannot sign in yet), sent after the
    transaction commits; False if the registry has no mail server to send it."""
    if not mail_enabled():
        return False
    db.session.add(OutboundEmail(to_address=address, subject=subject, body=body))
    db.session.info[MAIL_QUEUED] = True
    return True


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def inbox_query(user, *, unread: bool = False, kind: str | None = None):
    query = select(Notification).where(Notification.user_id == user.id)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    if kind:
        query = query.where(Notification.kind == kind)
    return query.order_by(Notification.created_at.desc(), Notification.id.desc())


def inbox_kinds(user) -> list[str]:
    """The kinds of notice this person has, for the inbox's filter."""
    return list(
        db.session.scalars(
            select(Notification.kind)
            .where(Notification.user_id == user.id)
            .distinct()
            .order_by(Notification.kind)
        )
    )


def mark_read(user, notification_id: int | None = None) -> int:
    """Marks one of the user's notifications read, or all of them."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return db.session.execute(query.values(read_at=utcnow())).rowcount


CLAIM = timedelta(minutes=5)  # a claimed message is its sender's for this long, then due again


def _due(now):
    return (
        OutboundEmail.sent_at.is_(None)
        & (OutboundEmail.attempts < MAX_ATTEMPTS)
        & (OutboundEmail.next_attempt_at.is_(None) | (OutboundEmail.next_attempt_at <= now))
    )


@dataclass(frozen=True)
class Claimed:
    id: int
    to_address: str
    subject: str
    body: str
    attempts: int


def claim_next(skip: frozenset[int] = frozenset()) -> Claimed | None:
    """Claims the oldest message that is due, for this sender alone, in a transaction of its own.

    Two senders may pick the same candidate; the conditional UPDATE lets only one of them have
    it (PostgreSQL re-checks the condition after the row lock, SQLite runs writers one at a
    time), and the other moves on to the next. `skip` holds what this run already tried.
    """
    while True:
        now = utcnow()
        candidate = db.session.scalar(
            select(OutboundEmail.id)
            .where(_due(now), OutboundEmail.id.not_in(skip))
            .order_by(OutboundEmail.id)
            .limit(1)
        )
        if candidate is None:
            db.session.commit()
            return None
        claimed = db.session.execute(
            update(OutboundEmail)
            .where(OutboundEmail.id == candidate, _due(now))
            .values(next_attempt_at=now + CLAIM, attempts=OutboundEmail.attempts + 1)
        ).rowcount
        if claimed:
            row = db.session.execute(
                select(
                    OutboundEmail.id,
                    OutboundEmail.to_address,
                    OutboundEmail.subject,
                    OutboundEmail.body,
                    OutboundEmail.attempts,
                ).where(OutboundEmail.id == candidate)
            ).one()
            db.session.commit()
            return Claimed(*row)
        db.session.commit()


def _record_outcome(message: Claimed, error: str | None) -> None:
    """Sent, or released for the next run (the sender's sweep, or cron) to try again."""
    values: dict = {"last_error": error, "next_attempt_at": None}
    if error is None:
        values["sent_at"] = utcnow()
    db.session.execute(update(OutboundEmail).where(OutboundEmail.id == message.id).values(values))
    db.session.commit()


def mark_read_except_newest(user, keep: int) -> int:
    """Marks all but the `keep` newest unread notifications of a person read (the demo city's
    people start with a few notices, not a hundred)."""
    newest = (
        select(Notification.id)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(keep)
    )
    query = update(Notification).where(
        Notification.user_id == user.id,
        Notification.read_at.is_(None),
        Notification.id.not_in(newest.scalar_subquery()),
    )
    return db.session.execute(query.values(read_at=utcnow())).rowcount


def deliver_pending(limit: int = 100) -> tuple[int, int]:
    """Sends due emails one claimed message at a time; returns (sent, failed).

    No transaction is open while a message is with the mail server, so a slow server never
    holds a lock, and each outcome is committed as it happens.
    """
    if not mail_enabled():
        return 0, 0
    sent = failed = 0
    tried: set[int] = set()
    for _ in range(limit):
        message = claim_next(frozenset(tried))
        if message is None:
            break
        tried.add(message.id)
        try:
            _send(message)
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"[:2000]
            current_app.logger.warning(
                "Email %s to %s not sent (attempt %s): %s",
                message.id,
                message.to_address,
                message.attempts,
                error,
            )
            _record_outcome(message, error)
            failed += 1
        else:
            _record_outcome(message, None)
            sent += 1
    return sent, failed


def _send(message: Claimed) -> None:
    config = current_app.config
    email = EmailMessage()
    email["From"] = config.get("MAIL_SENDER", "registry@localhost")
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(
        config["MAIL_SERVER"],
        int(config.get("MAIL_PORT", 25)),
        timeout=config.get("MAIL_TIMEOUT", 10),
    ) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(email)
