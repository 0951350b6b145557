"""A coordinator invites a person by email: a link, valid for 72 hours and once, on which they
choose their own password; nobody else knows it."""

import re
from datetime import timedelta

import pytest

from registry.accounts.models import Invitation
from registry.audit.models import AuditEvent
from registry.extensions import db
from registry.notifications.models import OutboundEmail

NEW_PERSON = {"email": "new.person@city.example", "name": "New Person", "roles": "steward"}
CHOSEN = "willow lantern harbour quietly"


@pytest.fixture
def coordinator(client, make, sign_in):
    make.department(code="PW")
    return sign_in(make.user("coordinator", name="Dana Coordinator"))


def _invite(client, **extra):
    return client.post(
        "/admin/users/new", data={**NEW_PERSON, "departments": "PW", "welcome": "invite", **extra}
    )


def _link(page: str) -> str:
    return re.search(r'id="invitation-link">http://localhost(/invitation/[^<]+)<', page).group(1)


def test_an_invited_person_chooses_their_password_and_is_signed_in(client, coordinator):
    page = _invite(client).get_data(as_text=True)
    assert "New Person is invited" in page and "works once, until" in page
    link = _link(page)  # no mail server here: shown once, for the coordinator to pass on
    client.post("/sign-out")
    welcome = client.get(link).get_data(as_text=True)
    assert "Welcome, New Person" in welcome and "new.person@city.example" in welcome
    differ = client.post(link, data={"password": CHOSEN, "confirm": CHOSEN + "x"})
    assert differ.status_code == 422
    assert "The two passwords differ" in differ.get_data(as_text=True)
    done = client.post(link, data={"password": CHOSEN, "confirm": CHOSEN})
    assert done.status_code == 302 and done.headers["Location"] == "/work"
    assert "Welcome, New Person. Your password is set" in client.get("/work").get_data(as_text=True)
    # Once only.
    client.post("/sign-out")
    again = client.get(link)
    assert again.status_code == 410 and "no longer works" in again.get_data(as_text=True)
    signed = client.post("/sign-in", data={"email": NEW_PERSON["email"], "password": CHOSEN})
    assert signed.status_code == 302
    tags = set(db.session.scalars(db.select(AuditEvent.tag)))
    assert {"account:user:invite", "account:user:invite_accept"} <= tags


def test_an_invitation_is_emailed_where_the_registry_sends_mail(client, coordinator, app):
    app.config["MAIL_SERVER"] = "mail.city.example"
    try:
        page = _invite(client).get_data(as_text=True)
    finally:
        app.config.pop("MAIL_SERVER")
    assert "An email to <strong>new.person@city.example</strong>" in page
    assert "invitation-link" not in page  # the link goes to the person only
    sent = db.session.scalars(db.select(OutboundEmail)).one()
    assert sent.to_address == NEW_PERSON["email"] and "/invitation/" in sent.body


def test_a_link_expires_after_72_hours_and_a_new_one_ends_the_old(client, coordinator):
    first = _link(_invite(client).get_data(as_text=True))
    person = db.session.scalars(db.select(Invitation)).one().user
    second = _link(client.post(f"/admin/users/{person.id}/invite").get_data(as_text=True))
    client.post("/sign-out")
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200
    live = db.session.scalars(db.select(Invitation).where(Invitation.used_at.is_(None))).one()
    assert live.expires_at - live.created_at == timedelta(hours=72)
    live.expires_at = live.created_at - timedelta(seconds=1)
    db.session.commit()
    assert client.get(second).status_code == 410
    refused = client.post(second, data={"password": CHOSEN, "confirm": CHOSEN})
    assert refused.status_code == 410


def test_a_temporary_password_is_still_offered(client, coordinator):
    page = _invite(client, welcome="temporary").get_data(as_text=True)
    assert 'id="temporary-password"' in page
    assert db.session.scalars(db.select(Invitation)).first() is None


def test_someone_who_has_signed_in_is_not_invited_again(client, make, coordinator):
    person = make.user("steward", departments=["PW"])
    client.post("/sign-out")
    client.post("/sign-in", data={"email": person.email, "password": make.PASSWORD})
    client.post("/sign-out")
    client.post("/sign-in", data={"email": coordinator.email, "password": make.PASSWORD})
    response = client.post(f"/admin/users/{person.id}/invite")
    assert response.status_code == 409
    assert db.session.scalars(db.select(Invitation)).first() is None
