"""Telling people what they must act on: an inbox entry each, and an email when mail is set up.

notify() only writes rows in the caller's transaction; nothing leaves the registry until that
transaction commits. deliver_pending() then sends the outbox, and a failure is recorded on the
message for the next attempt, so a mail server being down never blocks or loses a change.
"""

import smtplib
from collections.abc import Iterable
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


def notify(users: Iterable, subject: str, body: str, link: str | None = None) -> int:
    """One inbox entry per active user (each once), and their email if mail is configured."""
    seen: set[int] = set()
    for user in users:
        if user is None or user.id in seen or not user.active:
            continue
        seen.add(user.id)
        db.session.add(Notification(user_id=user.id, subject=subject, body=body, link=link))
        if mail_enabled():
            text = body + (f"\n\n{current_app.config.get('BASE_URL', '')}{link}" if link else "")
            db.session.add(OutboundEmail(to_address=user.email, subject=subject, body=text))
            db.session.info[MAIL_QUEUED] = True
    db.session.flush()
    return len(seen)


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count()).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def inbox_query(user):
    return (
        select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def mark_read(user, notification_id: int | None = None) -> int:
    """Marks one of the user's notifications read, or all of them."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return db.session.execute(query.values(read_at=utcnow())).rowcount


def deliver_pending(limit: int = 100) -> tuple[int, int]:
    """Sends unsent emails; returns (sent, failed). Commits each outcome as it goes."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0, 0
    pending = db.session.scalars(
        select(OutboundEmail)
        .where(OutboundEmail.sent_at.is_(None), OutboundEmail.attempts < MAX_ATTEMPTS)
        .order_by(OutboundEmail.id)
        .limit(limit)
    ).all()
    sent = failed = 0
    for message in pending:
        message.attempts += 1
        try:
            _send(message)
        except (OSError, smtplib.SMTPException) as exc:
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            current_app.logger.warning(
                "Email %s to %s not sent (attempt %s): %s",
                message.id,
                message.to_address,
                message.attempts,
                message.last_error,
            )
            failed += 1
        else:
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
        db.session.commit()
    return sent, failed


def _send(message: OutboundEmail) -> None:
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
