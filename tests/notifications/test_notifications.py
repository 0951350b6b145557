"""Each step tells the people who must act next: in their inbox, and by email after commit."""

import socket

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from registry.extensions import db
from registry.notifications import services
from registry.notifications.models import Notification, OutboundEmail
from tests import factories


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp(mailbox) -> tuple[Controller, int]:
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, port


@pytest.fixture
def smtp(app, monkeypatch):
    mailbox = Mailbox()
    controller, port = start_smtp(mailbox)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    yield mailbox
    controller.stop()


@pytest.fixture
def dead_smtp(app, monkeypatch):
    """A port with nothing listening: connections are refused."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2)


@pytest.fixture
def submitted_by_page(app, make):
    """A steward submits a complete draft through the page; returns (coordinator, response)."""

    def _submit():
        coordinator = make.user("coordinator", email="coord@city.example")
        steward = make.user("steward")
        dataset = make.dataset(
            actor=steward, department=steward.department_codes[0], **make.COMPLETE
        )
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = factories.browser_session(steward)
        response = client.post(f"/datasets/{dataset.identifier}/actions/submit", data={})
        return coordinator, response

    return _submit


def test_a_submission_lands_in_the_coordinators_inbox(make, submitted_by_page):
    coordinator, _ = submitted_by_page()
    note = db.session.scalar(select(Notification).where(Notification.user_id == coordinator.id))
    assert "awaits triage" in note.body and services.unread_count(coordinator) == 1


def test_the_request_itself_sends_no_email(smtp, submitted_by_page):
    _, response = submitted_by_page()
    assert (response.status_code, smtp.messages) == (302, [])


def test_the_sender_sends_the_email_the_transition_queued(smtp, submitted_by_page):
    coordinator, _ = submitted_by_page()
    services.deliver_pending()
    assert [recipients for recipients, _ in smtp.messages] == [[coordinator.email]]
    assert "awaits triage" in smtp.messages[0][1]


def test_a_dead_mail_server_neither_blocks_nor_loses_the_transition(
    dead_smtp, submitted_by_page, caplog
):
    coordinator, response = submitted_by_page()
    services.deliver_pending()
    email = db.session.scalar(select(OutboundEmail))
    assert response.status_code == 302
    assert (email.sent_at, email.attempts, email.to_address) == (None, 1, coordinator.email)
    assert "ConnectionRefusedError" in email.last_error and "not sent" in caplog.text


def test_a_failed_email_is_retried_by_the_mail_command(
    app, monkeypatch, dead_smtp, submitted_by_page
):
    submitted_by_page()
    services.deliver_pending()
    mailbox = Mailbox()
    controller, port = start_smtp(mailbox)
    try:
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        result = app.test_cli_runner().invoke(args=["mail", "send"])
    finally:
        controller.stop()
    assert (result.output.strip(), len(mailbox.messages)) == (
        "1 sent, 0 failed (they will be retried).",
        1,
    )


def test_without_mail_configured_only_the_inbox_is_used(submitted_by_page):
    submitted_by_page()
    assert db.session.scalar(select(OutboundEmail)) is None


def test_sending_to_committee_notifies_members_who_are_not_recused(make):
    make.department(code="HD")
    colleague = make.user("committee", departments=["HD"])
    other = make.user("committee")
    make.in_committee("HD")
    assert (services.unread_count(other), services.unread_count(colleague)) == (1, 0)


def test_the_inbox_shows_and_clears_unread_notifications(client, make, sign_in, submitted_by_page):
    coordinator, _ = submitted_by_page()
    sign_in(coordinator)
    html = client.get("/inbox").get_data(as_text=True)
    assert "awaits triage" in html and '1<span class="visually-hidden"> unread' in html
    client.post("/inbox/read")
    assert services.unread_count(coordinator) == 0


def test_coordinators_are_never_told_that_something_awaits_their_vote(make):
    from registry.reviews.rereview import edit_dataset

    coordinator = make.user("coordinator")
    member = make.user("committee")
    dataset = make.in_committee()
    from registry.reviews.services import cast_vote

    other = make.user("committee")
    make.user("committee")
    for voter in (member, other):  # quorum is two of three: approved
        cast_vote(dataset, {"vote": "approve", "rationale": "Ok."}, actor=voter)
    edit_dataset(
        dataset,
        {"classification": "internal", "version": dataset.version},
        actor=dataset.steward,
    )  # a re-review round opens: the committee votes, coordinators are informed
    bodies = {
        note.user_id: note.body
        for note in db.session.scalars(select(Notification).where(Notification.kind == "Re-review"))
    }
    assert "awaits your vote" in bodies[member.id]
    assert "awaits your vote" not in bodies[coordinator.id]


def test_the_inbox_filters_by_kind_and_unread(client, make, sign_in):
    person = make.user("stakeholder")
    services.notify([person], "A", "First.", kind="Submitted")
    services.notify([person], "B", "Second.", kind="Approved")
    services.mark_read(
        person, db.session.scalar(select(Notification.id).where(Notification.subject == "B"))
    )
    db.session.commit()
    sign_in(person)
    by_kind = client.get("/inbox?kind=Approved").get_data(as_text=True)
    unread = client.get("/inbox?unread=1").get_data(as_text=True)
    assert "Second." in by_kind and "First." not in by_kind
    assert "First." in unread and "Second." not in unread
