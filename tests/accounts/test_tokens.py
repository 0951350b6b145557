import hashlib
import re

from sqlalchemy import select

from registry.accounts.models import ApiToken
from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.extensions import db


def test_a_token_is_shown_once_and_stored_only_as_a_hash(client, make, sign_in):
    sign_in(make.user("auditor"))
    html = client.post("/account/tokens", data={"name": "sync"}).get_data(as_text=True)
    secret = re.search(r'id="new-token">([^<]+)<', html).group(1)
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in client.get("/account").get_data(as_text=True)


def test_the_token_signs_in_api_requests(client, make):
    owner = make.user("auditor")
    token = make.token(owner)
    body = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.secret}"}).get_json()
    assert body["email"] == owner.email


def test_revoking_from_the_account_page(client, make, sign_in):
    owner = sign_in(make.user("auditor"))
    token = make.token(owner)
    client.post(f"/account/tokens/{token.id}/revoke")
    client.post("/sign-out")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.secret}"})
    assert response.status_code == 401


def test_nobody_revokes_someone_elses_token(client, make, sign_in):
    token = make.token(make.user("auditor"))
    sign_in(make.user("coordinator"))
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 404


def test_token_creation_and_revocation_are_audited(client, make, sign_in):
    owner = sign_in(make.user("auditor"))
    token = make.token(owner)
    client.post(f"/account/tokens/{token.id}/revoke")
    tags = db.session.scalars(select(AuditEvent.tag).where(AuditEvent.tag.like("account:token:%")))
    assert sorted(tags) == [Tag.TOKEN_CREATE, Tag.TOKEN_REVOKE]


def test_a_token_needs_a_name(client, make, sign_in):
    sign_in(make.user("auditor"))
    response = client.post("/account/tokens", data={"name": " "})
    assert response.status_code == 422 and 'id="name-error"' in response.get_data(as_text=True)


def test_tokens_create_command_prints_a_working_token(app, client, make):
    owner = make.user("auditor", email="robot@city.example")
    result = app.test_cli_runner().invoke(args=["tokens", "create", "--email", owner.email])
    secret = result.output.strip()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert (result.exit_code, response.status_code) == (0, 200)


def test_tokens_create_command_names_an_unknown_email(app):
    result = app.test_cli_runner().invoke(
        args=["tokens", "create", "--email", "nobody@city.example"]
    )
    assert result.exit_code == 1 and "--email:" in result.output


def test_reading_with_a_token_records_its_use_at_most_once_a_minute(client, make):
    token = make.token(make.user("auditor"))
    headers = {"Authorization": f"Bearer {token.secret}"}
    client.get("/api/v1/me", headers=headers)
    first = db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token.id))
    client.get("/api/v1/me", headers=headers)
    second = db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token.id))
    assert first is not None and second == first


def me(client, token):
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.secret}"})


def test_a_token_expires_a_year_after_it_is_made_unless_chosen(make):
    from registry.db import utcnow

    token = make.token(make.user("auditor"))
    days = (token.expires_at - utcnow()).days
    assert days in (364, 365)


def test_an_expired_token_no_longer_signs_in(client, make):
    from datetime import timedelta

    token = make.token(make.user("auditor"))
    token.expires_at = token.created_at - timedelta(seconds=1)
    db.session.commit()
    assert me(client, token).status_code == 401


def test_the_account_page_takes_and_shows_the_last_day(client, make, sign_in):
    from datetime import timedelta

    from registry.db import utctoday

    sign_in(make.user("auditor"))
    day = (utctoday() + timedelta(days=30)).isoformat()
    html = client.post("/account/tokens", data={"name": "sync", "expires_on": day}).get_data(
        as_text=True
    )
    assert f"<td>{day}</td>" in html


def test_a_token_for_more_than_two_years_is_refused(client, make, sign_in):
    from datetime import timedelta

    from registry.db import utctoday

    sign_in(make.user("auditor"))
    day = (utctoday() + timedelta(days=800)).isoformat()
    response = client.post("/account/tokens", data={"name": "sync", "expires_on": day})
    assert response.status_code == 422 and "at most two years ahead" in response.get_data(
        as_text=True
    )


def test_a_coordinator_lists_and_revokes_anyones_token(client, make, sign_in):
    owner = make.user("auditor")
    token = make.token(owner)
    sign_in(make.user("coordinator"))
    listed = client.get("/admin/tokens").get_data(as_text=True)
    client.post(f"/admin/tokens/{token.id}/revoke")
    client.post("/sign-out")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == Tag.TOKEN_REVOKE))
    assert owner.email in listed and token.prefix in listed
    assert (me(client, token).status_code, event.subject_id) == (401, str(owner.id))


def test_a_token_and_everything_its_checks_read_of_its_holder_come_in_one_statement(make):
    """The token, its holder, their roles and departments: one query for an API call's sign-in,
    where each had its own."""
    from registry.accounts.tokens import token_for_secret
    from tests.datasets.test_query_plans import statements_sent

    codes = [make.department().code, make.department().code]
    owner = make.user("steward", "stakeholder", departments=codes)
    secret = make.token(owner).secret
    db.session.expunge_all()  # nothing of the holder already loaded
    token, sent = statements_sent(lambda: token_for_secret(secret))
    roles, departments = sorted(token.user.role_set), token.user.department_codes
    reads = [statement for statement, _ in sent if statement.lstrip().upper().startswith("SELECT")]
    assert (len(reads), roles, len(departments)) == (1, ["stakeholder", "steward"], 2)
