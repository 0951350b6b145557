import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from registry.accounts import services
from registry.accounts.sessions import user_for_session
from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.extensions import db
from tests import factories


def events(tag):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.tag == tag)))


def test_department_codes_and_names_are_unique_whatever_the_case(make):
    make.department(code="PW", name="Public Works")
    with pytest.raises(ValidationError) as caught:
        services.create_department({"code": "pw", "name": "public works"}, actor=None)
    assert set(caught.value.messages) == {"code", "name"}


def test_department_code_must_be_short_capitals(app):
    with pytest.raises(ValidationError) as caught:
        services.create_department({"code": "Public Works!", "name": "Public Works"}, actor=None)
    assert "code" in caught.value.messages


def test_schema_and_stored_data_errors_come_together(make):
    make.department(code="PW")
    with pytest.raises(ValidationError) as caught:
        services.create_department({"code": "PW"}, actor=None)
    assert set(caught.value.messages) == {"code", "name"}


def test_creating_a_department_is_audited(make):
    department = make.department(code="PW")
    assert [event.subject_id for event in events(Tag.DEPARTMENT_CREATE)] == [department.code]


def test_user_rules_are_collected_in_one_answer(make):
    raw = {"email": "a@city", "name": "A", "roles": ["steward"], "is_chair": True}
    with pytest.raises(ValidationError) as caught:
        services.create_user(raw, actor=None)
    assert set(caught.value.messages) == {"email", "departments", "is_chair"}


def test_email_is_unique_whatever_the_case(make):
    make.user("auditor", email="pat@city.example")
    with pytest.raises(ValidationError) as caught:
        services.create_user({"email": "Pat@City.example", "name": "Pat"}, actor=None)
    assert "email" in caught.value.messages


def test_unknown_department_codes_are_named(make):
    with pytest.raises(ValidationError) as caught:
        services.create_user(
            {"email": "b@city.example", "name": "B", "departments": ["NOPE"]}, actor=None
        )
    assert "NOPE" in caught.value.messages["departments"][0]


def test_user_without_password_gets_a_temporary_one_to_change(make):
    user, temporary = services.create_user({"email": "c@city.example", "name": "C"}, actor=None)
    assert temporary and user.must_change_password


def test_role_changes_are_audited_with_before_and_after(make):
    coordinator = make.user("coordinator")
    target = make.user("stakeholder")
    services.update_user(target, {"roles": ["auditor"]}, actor=coordinator, partial=True)
    [event] = events(Tag.USER_ROLES_CHANGE)
    assert event.payload == {"before": {"roles": ["stakeholder"]}, "after": {"roles": ["auditor"]}}


def test_coordinator_cannot_lock_themselves_out(make):
    coordinator = make.user("coordinator")
    with pytest.raises(ValidationError) as caught:
        services.update_user(
            coordinator, {"roles": [], "active": False}, actor=coordinator, partial=True
        )
    assert set(caught.value.messages) == {"roles", "active"}


def test_rejected_update_changes_nothing(make):
    coordinator = make.user("coordinator")
    target = make.user("auditor")
    with pytest.raises(ValidationError):
        services.update_user(
            target, {"name": "Renamed", "departments": ["NOPE"]}, actor=coordinator, partial=True
        )
    db.session.rollback()
    assert db.session.get(type(target), target.id).name != "Renamed"


def test_deactivating_a_user_signs_them_out_everywhere(make):
    coordinator = make.user("coordinator")
    target = make.user("auditor")
    old_session = factories.browser_session(target)
    services.set_user_active(target, False, actor=coordinator)
    assert user_for_session(old_session) is None


def test_reset_password_rotates_the_session_and_forces_a_change(make):
    coordinator = make.user("coordinator")
    target = make.user("auditor")
    old_session = factories.browser_session(target)
    services.reset_password(target, actor=coordinator)
    assert (user_for_session(old_session), target.must_change_password) == (None, True)


def test_changing_password_needs_the_current_one(make):
    user = make.user("auditor")
    with pytest.raises(ValidationError) as caught:
        services.change_own_password(
            user,
            {"current_password": "wrong", "new_password": "n" * 12, "confirm_password": "n" * 12},
        )
    assert "current_password" in caught.value.messages


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("123456789012", "first guesses"),
        ("passwordpassword", "first guesses"),
        ("qwertyuiopasdf", "harder password"),
        ("okafor-in-riverton", "email address or your name"),
        ("dana.okafor@city.example!", "email address or your name"),
    ],
)
def test_a_common_or_personal_password_is_refused_alike_in_the_form_and_the_cli(
    app, client, make, password, problem
):
    user, _ = services.create_user(
        {"email": "dana.okafor@city.example", "name": "Dana Okafor", "roles": ["auditor"]},
        actor=None,
        password="a perfectly fine passphrase",
    )
    db.session.commit()
    client.post("/sign-in", data={"email": user.email, "password": "a perfectly fine passphrase"})
    form = client.post(
        "/account/password",
        data={
            "current_password": "a perfectly fine passphrase",
            "new_password": password,
            "confirm_password": password,
        },
    )
    cli = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "--email",
            "dana2@city.example",
            "--name",
            "Dana Okafor",
            "--role",
            "auditor",
            "--password-stdin",
        ],
        input=password.replace("dana.okafor@city.example", "dana2@city.example") + "\n",
    )
    assert form.status_code == 422 and problem in form.get_data(as_text=True)
    assert cli.exit_code == 1 and "--password:" in cli.output


@pytest.mark.parametrize(
    "password",
    ["Riverton2026!", "riverton-summer-2025", "Welcome2Riverton!!", "CityOfRiverton#1"],
)
def test_a_password_built_from_the_citys_name_and_a_year_is_refused(app, monkeypatch, password):
    from registry.accounts.passwords import password_problems

    monkeypatch.setitem(app.config, "CITY_NAME", "City of Riverton")
    problems = password_problems(password, email="dana@city.example", name="Dana Okafor")
    assert problems and "city's name, a year" in problems[0]


def test_a_passphrase_that_mentions_the_city_among_other_words_is_fine(app, monkeypatch):
    from registry.accounts.passwords import password_problems

    monkeypatch.setitem(app.config, "CITY_NAME", "City of Riverton")
    problems = password_problems(
        "riverton otters juggle marmalade", email="dana@city.example", name="Dana Okafor"
    )
    assert problems == []
