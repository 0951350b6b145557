"""Signing in with the city's account, end to end against a real OpenID Connect provider
(tests/accounts/city_provider.py): the coordinator sets it up, groups give roles and
departments, such people have no password here, and someone disabled at the provider cannot
sign in."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.accounts import city_settings, invitations
from registry.accounts.models import IdentityProvider, User, UserSession
from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.extensions import db
from tests.accounts.city_provider import CLIENT_SECRET, Browser, start_provider


@pytest.fixture(scope="module")
def provider():
    city = start_provider()
    yield city
    city.stop()


@pytest.fixture
def set_up(make, provider):
    """Public Works exists and the coordinator has set up the city's sign-in."""
    make.department(code="PW", name="Public Works")
    coordinator = make.user("coordinator", email="first.coordinator@riverton.example")
    city_settings.save_settings(provider.settings(enabled=True), actor=coordinator)
    db.session.commit()
    return coordinator


@pytest.fixture
def browser(client, provider):
    return Browser(client)


def _person(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_the_coordinator_sets_up_city_sign_in_on_a_page(client, make, sign_in, provider):
    make.department(code="PW", name="Public Works")
    sign_in(make.user("coordinator"))
    page = client.get("/admin/city-sign-in").get_data(as_text=True)
    assert "http://localhost/sign-in/city/return" in page  # what IT registers at the provider
    saved = client.post("/admin/city-sign-in", data=provider.settings())
    assert saved.status_code == 302
    assert "is on" in client.get(saved.headers["Location"]).get_data(as_text=True)
    stored = db.session.get(IdentityProvider, city_settings.SETTINGS_ID)
    assert stored.issuer == provider.issuer and stored.enabled
    assert CLIENT_SECRET not in stored.client_secret_sealed  # sealed, not kept as typed
    assert city_settings.unseal(stored.client_secret_sealed) == CLIENT_SECRET
    assert stored.group_roles[1] == {
        "group": "Public Works data stewards",
        "role": "steward",
        "department": "PW",
    }
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == Tag.CITY_SIGN_IN_SETTINGS))
    assert CLIENT_SECRET not in str(event.payload)
    again = client.get("/admin/city-sign-in").get_data(as_text=True)
    assert CLIENT_SECRET not in again and "Leave empty to keep the secret" in again
    kept = client.post("/admin/city-sign-in", data=provider.settings(client_secret=""))
    assert kept.status_code == 302  # an empty secret keeps the saved one
    assert city_settings.unseal(stored.client_secret_sealed) == CLIENT_SECRET


def test_wrong_settings_are_refused_with_the_reason_and_nothing_saved(
    client, make, sign_in, provider
):
    sign_in(make.user("coordinator"))
    refused = client.post(
        "/admin/city-sign-in",
        data=provider.settings(
            issuer=provider.issuer + "/elsewhere",
            scopes="email profile",
            group_roles="Open data team | Mayor\nParks staff | Data steward\nX | auditor | ZZ",
        ),
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "The provider did not answer at" in page
    assert "The scopes must include openid." in page
    assert "Line 1: “Mayor” is not a role here" in page
    assert "Line 2: a data steward&#39;s group needs a department." in page
    assert "Line 3: there is no department “ZZ”." in page
    assert CLIENT_SECRET not in page
    plain = client.post("/admin/city-sign-in", data=provider.settings(issuer="http://idp.example"))
    assert "starting with https://" in plain.get_data(as_text=True)
    assert db.session.get(IdentityProvider, city_settings.SETTINGS_ID) is None


def test_a_person_signs_in_with_the_city_account_and_gets_the_roles_their_groups_give(
    client, set_up, browser
):
    offered = client.get("/sign-in").get_data(as_text=True)
    assert "Sign in with your City of Riverton account" in offered
    back = browser.sign_in("pat", start="/sign-in/city?next=/work")
    assert back.status_code == 302 and back.headers["Location"] == "/work"
    pat = _person("pat.steward@riverton.example")
    assert pat.name == "Pat Steward" and pat.role_names == ["steward"]
    assert pat.department_codes == ["PW"] and pat.has_city_account
    assert client.get("/work").status_code == 200  # signed in
    session = db.session.scalar(select(UserSession).where(UserSession.user_id == pat.id))
    assert session.expires_at - session.created_at == timedelta(hours=1)
    events = db.session.scalars(
        select(AuditEvent.tag).where(AuditEvent.subject_id == str(pat.id))
    ).all()
    assert {Tag.USER_CREATE, Tag.USER_CITY_ACCOUNT, Tag.SIGN_IN} <= set(events)


def test_people_signed_in_with_the_city_account_have_no_password_here(client, set_up, browser):
    browser.sign_in("dana")
    client.post("/sign-out")
    dana = _person("dana.coordinator@riverton.example")
    assert dana.role_names == ["coordinator"]
    for password in ("", "!", "dana-city-pass"):
        refused = client.post("/sign-in", data={"email": dana.email, "password": password})
        assert refused.status_code in (401, 422)
    client.post("/sign-in", data={"email": set_up.email, "password": "correct horse battery"})


def test_an_existing_account_with_a_verified_email_is_linked_and_loses_its_password(
    client, make, set_up, browser
):
    sam = make.user("auditor", email="sam.auditor@riverton.example", name="Sam A.")
    back = browser.sign_in("sam")
    assert back.status_code == 302
    db.session.refresh(sam)
    assert sam.has_city_account and sam.password_hash == "!"
    assert sam.role_names == ["auditor"]
    client.post("/sign-out")
    refused = client.post(
        "/sign-in", data={"email": sam.email, "password": "correct horse battery"}
    )
    assert refused.status_code == 401


def test_groups_decide_at_every_sign_in(client, set_up, browser, provider):
    browser.sign_in("pat")
    client.post("/sign-out")
    pat = _person("pat.steward@riverton.example")
    city_settings.save_settings(
        provider.settings(group_roles="Public Works data stewards | auditor"), actor=set_up
    )
    db.session.commit()
    browser.sign_in("pat")  # the provider remembers them: no password asked this time
    db.session.refresh(pat)
    assert pat.role_names == ["auditor"] and pat.department_codes == []


def test_someone_in_no_group_given_access_is_refused_and_nothing_is_made(client, set_up, browser):
    refused = browser.sign_in("lee")
    assert refused.status_code == 401
    assert "not in any group given access" in refused.get_data(as_text=True)
    assert _person("lee.clerk@riverton.example") is None
    failure = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == Tag.SIGN_IN_FAILURE))
    assert failure.actor_label == "lee.clerk@riverton.example"


def test_someone_disabled_at_the_provider_can_no_longer_sign_in(client, set_up, browser, provider):
    assert browser.sign_in("pat").status_code == 302
    client.post("/sign-out")
    provider.set_enabled("pat", False)
    try:
        # The same browser, the provider's own session still in its cookies.
        refused = browser.sign_in("pat")
        assert refused.status_code == 401
        assert "This account is disabled." in refused.get_data(as_text=True)
        assert client.get("/work").status_code == 302  # not signed in
    finally:
        provider.set_enabled("pat", True)


def test_someone_deactivated_here_stays_out_whatever_the_provider_says(
    client, make, set_up, browser
):
    browser.sign_in("dana")
    client.post("/sign-out")
    dana = _person("dana.coordinator@riverton.example")
    dana.active = False
    db.session.commit()
    refused = browser.sign_in("dana")
    assert refused.status_code == 401
    assert "deactivated" in refused.get_data(as_text=True)


def test_a_return_this_browser_did_not_start_is_refused_without_a_word_of_its_own(client, set_up):
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for query in (
        "code=made-up&state=made-up",
        "error=access_denied&error_description=Call+555-0100+to+restore+your+account&state=x",
    ):
        refused = client.get(f"/sign-in/city/return?{query}")
        assert refused.status_code == 401
        page = refused.get_data(as_text=True)
        assert "not started in this browser" in page and "555-0100" not in page
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def test_an_unverified_address_takes_over_an_account_only_when_the_city_says_so(
    client, make, set_up, browser, provider
):
    kim = make.user("auditor", email="kim.auditor@riverton.example")
    refused = browser.sign_in("kim")
    assert refused.status_code == 401
    assert "has not verified that address" in refused.get_data(as_text=True)
    db.session.refresh(kim)
    assert not kim.has_city_account
    city_settings.save_settings(provider.settings(trust_email="y"), actor=set_up)
    db.session.commit()
    assert browser.sign_in("kim").status_code == 302
    db.session.refresh(kim)
    assert kim.has_city_account


def test_without_set_up_the_city_sign_in_is_not_offered(client):
    assert "city account" not in client.get("/sign-in").get_data(as_text=True)
    answer = client.get("/sign-in/city")
    assert answer.status_code == 302 and answer.headers["Location"] == "/sign-in"


def test_no_password_is_set_reset_or_chosen_for_a_city_account(client, make, set_up, browser):
    invited = make.user("auditor", email="sam.auditor@riverton.example")
    token, _expires, _emailed = invitations.invite(invited, actor=set_up)
    db.session.commit()
    browser.sign_in("sam")  # linked: the pending invitation ends with the password
    page = client.get("/account").get_data(as_text=True)
    assert "you have no password here" in page and "Change password" not in page
    changed = client.post(
        "/account/password",
        data={
            "current_password": "",
            "new_password": "willow lantern harbour quietly",
            "confirm_password": "willow lantern harbour quietly",
        },
    )
    assert changed.status_code == 422
    assert "You sign in with your city account" in changed.get_data(as_text=True)
    client.post("/sign-out")
    assert client.get(f"/invitation/{token}").status_code == 410
    client.post("/sign-in", data={"email": set_up.email, "password": "correct horse battery"})
    form = client.get(f"/admin/users/{invited.id}/edit").get_data(as_text=True)
    assert "Signs in with the city's account" in form and "Reset password" not in form
    reset = client.post(f"/admin/users/{invited.id}/reset-password")
    assert reset.status_code == 409
    db.session.refresh(invited)
    assert invited.password_hash == "!"


def test_an_account_the_registry_cannot_take_is_refused_and_nothing_is_made(
    client, set_up, browser
):
    refused = browser.sign_in("max")
    assert refused.status_code == 401
    assert "cannot take" in refused.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.name == "Max Clerk")) is None
