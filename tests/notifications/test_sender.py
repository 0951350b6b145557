"""The background sender: mail leaves after the request, from a thread, and no message goes out
twice however many senders run at once. Real commits and real connections, so each test has a
database of its own."""

import threading
import time

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.notifications import services
from registry.notifications.models import OutboundEmail
from tests import factories
from tests.notifications.test_notifications import Mailbox, start_smtp

pytestmark = pytest.mark.own_database


class SlowMailbox(Mailbox):
    """A mail server that takes a second over each message."""

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        await asyncio.sleep(1)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp():
    mailbox = SlowMailbox()
    controller, port = start_smtp(mailbox)
    yield mailbox, port
    controller.stop()


def wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_request_returns_before_its_mail_and_the_sender_delivers_it(scratch_app, slow_smtp):
    mailbox, port = slow_smtp
    app = scratch_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_BACKGROUND_SENDER=True)
    with app.app_context():
        factories.user("coordinator", email="coord@city.example")
        steward = factories.user("steward")
        dataset = factories.dataset(
            actor=steward, department=steward.department_codes[0], **factories.COMPLETE
        )
        identifier, session_id = dataset.identifier, factories.browser_session(steward)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = session_id

    response = client.post(f"/datasets/{identifier}/actions/submit", data={})
    at_response = list(mailbox.messages)

    assert (response.status_code, at_response) == (302, [])
    assert wait_for(lambda: len(mailbox.messages) == 1)
    assert mailbox.messages[0][0] == ["coord@city.example"]


def test_senders_running_at_once_send_each_message_once(scratch_app):
    mailbox = Mailbox()
    controller, port = start_smtp(mailbox)
    app = scratch_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        people = [factories.user("stakeholder") for _ in range(12)]
        services.notify(people, "Round open", "Vote now.")
        emails = sorted(person.email for person in people)
        db.session.commit()
    barrier = threading.Barrier(4)

    def send():
        with app.app_context():
            barrier.wait()
            services.deliver_pending()
            db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    controller.stop()

    with app.app_context():
        unsent = db.session.scalar(
            select(func.count()).select_from(OutboundEmail).where(OutboundEmail.sent_at.is_(None))
        )
    recipients = sorted(rcpt for rcpts, _ in mailbox.messages for rcpt in rcpts)
    assert (recipients, unsent) == (emails, 0)
