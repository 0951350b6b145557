"""Sessions end on the server: signing out, a password change or reset, and a deactivation end
them (and revoke API tokens) for good; tokens never open a page; CSRF is spared only to a
request a valid token signed in."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from registry.accounts import services
from registry.accounts.models import UserSession
from registry.db import utcnow
from registry.extensions import db
from tests.factories import PASSWORD


def signed_in_cookie(client, user) -> str:
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    return client.get_cookie("registry_session").value


def with_cookie(app, value):
    other = app.test_client()
    other.set_cookie("registry_session", value)
    return other


def test_a_cookie_copied_before_sign_out_no_longer_works(app, client, make):
    user = make.user("auditor")
    copied = signed_in_cookie(client, user)
    client.post("/sign-out")
    assert with_cookie(app, copied).get("/account").status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_however_much_it_is_used(app, client, make):
    user = make.user("auditor")
    signed_in_cookie(client, user)
    assert client.get("/account").status_code == 200
    db.session.execute(update(UserSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize("what", ["password change", "password reset", "deactivation"])
def test_every_session_and_token_ends(app, client, make, what):
    user = make.user("auditor")
    coordinator = make.user("coordinator")
    cookie = signed_in_cookie(app.test_client(), user)
    token = make.token(user)
    if what == "password change":
        services.change_own_password(
            user,
            {
                "current_password": PASSWORD,
                "new_password": "a brand new passphrase",
                "confirm_password": "a brand new passphrase",
            },
        )
    elif what == "password reset":
        services.reset_password(user, actor=coordinator)
    else:
        services.set_user_active(user, False, actor=coordinator)
    db.session.commit()
    page = with_cookie(app, cookie).get("/account")
    api = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.secret}"})
    assert (page.status_code, api.status_code) == (302, 401)


def test_a_reactivated_account_keeps_its_old_tokens_dead(client, make):
    user = make.user("auditor")
    coordinator = make.user("coordinator")
    token = make.token(user)
    services.set_user_active(user, False, actor=coordinator)
    services.set_user_active(user, True, actor=coordinator)
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.secret}"})
    assert response.status_code == 401


def test_changing_your_password_keeps_you_signed_in_here(client, make):
    user = make.user("auditor")
    signed_in_cookie(client, user)
    client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/account/tokens"), ("GET", "/account"), ("GET", "/admin/users")],
)
def test_a_token_never_opens_a_page_or_a_form(client, make, method, path):
    token = make.token(make.user("coordinator"))
    response = client.open(
        path, method=method, headers={"Authorization": f"Bearer {token.secret}"}, data={}
    )
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_bogus_bearer_header_does_not_spare_a_cookie_write_its_csrf_check(
    app, client, make, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make.user("coordinator")
    with client.session_transaction() as session:
        from tests import factories

        session["_user_id"] = factories.browser_session(user)
    response = client.post(
        "/api/v1/datasets",
        json={"title": "X", "department": "PW", "classification": "public"},
        headers={"Authorization": "Bearer cdr_not-a-real-token"},
    )
    assert response.status_code == 400 and response.get_json()["error"] == "csrf_failed"
