from registry.accounts.services import find_user_by_email, get_department
from registry.permissions import Role


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=list(args), input=input)


def test_departments_create(app):
    result = run(app, "departments", "create", "--code", "PW", "--name", "Public Works")
    assert (result.exit_code, get_department("PW").name) == (0, "Public Works")


def test_departments_create_reports_what_is_wrong(app):
    result = run(app, "departments", "create", "--code", "p w", "--name", "")
    assert result.exit_code == 1
    assert "--code:" in result.output and "--name:" in result.output


def test_users_create_reads_the_password_from_stdin(app, make):
    make.department(code="PW")
    result = run(
        app,
        "users",
        "create",
        "--email",
        "Ana@City.example",
        "--name",
        "Ana",
        "--role",
        "steward",
        "--role",
        "auditor",
        "--department",
        "pw",
        "--password-stdin",
        input="a long enough password\n",
    )
    user = find_user_by_email("ana@city.example")
    assert result.exit_code == 0, result.output
    assert (user.role_set, user.department_codes) == ({Role.STEWARD, Role.AUDITOR}, ["PW"])


def test_users_create_prompts_for_the_password_twice(app):
    result = run(
        app,
        "users",
        "create",
        "--email",
        "bo@city.example",
        "--name",
        "Bo",
        "--role",
        "coordinator",
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output


def test_users_create_refuses_a_short_password_and_saves_nothing(app):
    result = run(
        app,
        "users",
        "create",
        "--email",
        "cy@city.example",
        "--name",
        "Cy",
        "--password-stdin",
        input="short\n",
    )
    assert (result.exit_code, find_user_by_email("cy@city.example")) == (1, None)
    assert "--password:" in result.output


def test_users_create_refuses_an_unknown_role(app):
    result = run(
        app, "users", "create", "--email", "d@city.example", "--name", "D", "--role", "mayor"
    )
    assert result.exit_code == 2 and "mayor" in result.output
