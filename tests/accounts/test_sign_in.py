import pytest
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.extensions import db
from tests.factories import PASSWORD


def attempt(client, email, password, **extra):
    return client.post("/sign-in", data={"email": email, "password": password, **extra})


def test_good_sign_in_goes_home_and_is_audited(client, make):
    user = make.user("auditor")
    response = attempt(client, user.email, PASSWORD)
    assert response.headers["Location"] == "/"
    assert (
        db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.tag == Tag.SIGN_IN))
        == user.id
    )


def test_wrong_password_and_unknown_email_are_refused_alike(client, make):
    user = make.user("auditor")
    wrong = attempt(client, user.email, "not the password")
    unknown = attempt(client, "nobody@city.example", "not the password")
    assert (wrong.status_code, wrong.data) == (
        unknown.status_code,
        unknown.data.replace(b"nobody@city.example", user.email.encode()),
    )


def test_failed_sign_in_is_audited_with_its_reason(client, make):
    attempt(client, "nobody@city.example", "x")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == Tag.SIGN_IN_FAILURE))
    assert (event.actor_label, event.payload) == (
        "nobody@city.example",
        {"reason": "unknown account"},
    )


def test_inactive_account_cannot_sign_in(client, make):
    coordinator = make.user("coordinator")
    user = make.user("auditor")
    from registry.accounts.services import set_user_active

    set_user_active(user, False, actor=coordinator)
    db.session.commit()
    assert attempt(client, user.email, PASSWORD).status_code == 401


def test_repeated_failures_lock_the_account_for_a_while(client, make):
    user = make.user("auditor")
    for _ in range(5):
        attempt(client, user.email, "wrong password")
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 429


def test_a_throttled_sign_in_says_when_to_come_back(client, make, app):
    user = make.user("auditor")
    for _ in range(5):
        attempt(client, user.email, "wrong password")
    response = attempt(client, user.email, PASSWORD)
    minutes = app.config["SIGN_IN_WINDOW_MINUTES"]
    assert (response.status_code, response.headers["Retry-After"]) == (429, str(minutes * 60))


def test_unknown_email_is_throttled_exactly_like_a_known_one(client, make):
    for _ in range(5):
        attempt(client, "nobody@city.example", "wrong password")
    assert attempt(client, "nobody@city.example", "wrong password").status_code == 429


def test_repeated_failures_from_one_address_are_throttled(client, make):
    user = make.user("auditor")
    for number in range(20):
        attempt(client, f"guess{number}@city.example", "wrong password")
    assert attempt(client, user.email, PASSWORD).status_code == 429


def test_success_clears_the_account_failures(client, make):
    user = make.user("auditor")
    for _ in range(4):
        attempt(client, user.email, "wrong password")
    attempt(client, user.email, PASSWORD)
    client.post("/sign-out")
    for _ in range(4):
        attempt(client, user.email, "wrong password")
    assert attempt(client, user.email, PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "https://elsewhere.example/",
        "//elsewhere.example/",
        "/\\elsewhere.example",
        "http:/elsewhere.example",
        "javascript:alert(1)",
    ],
)
def test_next_never_leaves_the_site(client, make, target):
    user = make.user("auditor")
    response = attempt(client, user.email, PASSWORD, next=target)
    assert response.headers["Location"] == "/"


def test_next_to_our_own_path_is_followed(client, make):
    user = make.user("auditor")
    response = attempt(client, user.email, PASSWORD, next="/audit?tag=account")
    assert response.headers["Location"] == "/audit?tag=account"


def test_session_cookie_is_httponly_and_samesite_lax(client, make):
    user = make.user("auditor")
    cookie = attempt(client, user.email, PASSWORD).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_posts_without_a_csrf_token_are_refused(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make.user("auditor")
    response = attempt(client, user.email, PASSWORD)
    assert response.status_code == 400 and b"did not come from this site" in response.data


def test_csrf_token_from_the_form_is_accepted(app, client, make, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make.user("auditor")
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert attempt(client, user.email, PASSWORD, csrf_token=token).status_code == 302


def test_temporary_password_must_be_changed_first(client, make):
    from registry.accounts.services import reset_password

    coordinator = make.user("coordinator")
    user = make.user("auditor")
    temporary = reset_password(user, actor=coordinator)
    db.session.commit()
    attempt(client, user.email, temporary)
    assert client.get("/audit").headers["Location"] == "/account"


@pytest.fixture
def holding_a_temporary_password(client, make):
    from registry.accounts.services import reset_password

    user = make.user("auditor")
    temporary = reset_password(user, actor=make.user("coordinator"))
    db.session.commit()
    attempt(client, user.email, temporary)
    return user


def test_the_password_page_gets_its_styles_with_a_temporary_password(
    client, holding_a_temporary_password
):
    page = client.get("/account").get_data(as_text=True)
    stylesheet = page.split('<link rel="stylesheet" href="')[1].split('"')[0]
    response = client.get(stylesheet)
    assert (response.status_code, response.mimetype) == (200, "text/css")


def test_the_temporary_password_warning_is_shown_once(client, holding_a_temporary_password):
    for _ in range(3):
        client.get("/datasets")
    page = client.get("/account").get_data(as_text=True)
    assert page.count("Choose a new password before you continue.") == 1


def test_sign_out_needs_a_post(client, make, sign_in):
    sign_in(make.user("auditor"))
    assert client.get("/sign-out").status_code == 405


def attempt_from(client, address, email, password):
    return client.post(
        "/sign-in",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_an_attacker_cannot_lock_the_owner_out_from_elsewhere(client, make):
    user = make.user("coordinator")
    for _ in range(6):
        attempt_from(client, "203.0.113.9", user.email, "wrong password")
    locked_there = attempt_from(client, "203.0.113.9", user.email, PASSWORD)
    owner = attempt_from(client, "198.51.100.7", user.email, PASSWORD)
    assert (locked_there.status_code, owner.status_code) == (429, 302)


def test_failures_from_many_addresses_make_new_addresses_back_off(client, make):
    user = make.user("auditor")
    for number in range(12):
        attempt_from(client, f"203.0.113.{number}", user.email, "wrong password")
    assert attempt_from(client, "192.0.2.50", user.email, PASSWORD).status_code == 429


def test_the_owners_usual_address_is_spared_the_back_off(client, make):
    user = make.user("auditor")
    attempt_from(client, "198.51.100.7", user.email, PASSWORD)
    client.post("/sign-out", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    for number in range(12):
        attempt_from(client, f"203.0.113.{number}", user.email, "wrong password")
    assert attempt_from(client, "198.51.100.7", user.email, PASSWORD).status_code == 302
