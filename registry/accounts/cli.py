"""`registry departments ...` and `registry users ...`: the account commands scripts rely on."""

import sys

import click
from marshmallow import ValidationError

from registry.accounts import services, tokens
from registry.accounts.schemas import UserIn
from registry.cli_support import fail
from registry.extensions import db
from registry.permissions import Role

departments_cli = click.Group("departments", help="Manage city departments.")
tokens_cli = click.Group("tokens", help="Manage personal API tokens.")
users_cli = click.Group("users", help="Manage registry users.")


@departments_cli.command("create")
@click.option("--code", required=True, help="Short code, e.g. PW.")
@click.option("--name", required=True, help='Full name, e.g. "Public Works".')
@click.option("--contact-name", default=None)
@click.option("--contact-email", default=None)
def create_department(code, name, contact_name, contact_email):
    """Create a department."""
    raw = {"code": code, "name": name, "contact_name": contact_name, "contact_email": contact_email}
    try:
        department = services.create_department(raw, actor=None)
    except ValidationError as exc:
        fail(exc)
    db.session.commit()
    click.echo(f"Created department {department.code}: {department.name}")


@departments_cli.command("list")
def list_departments():
    """List departments."""
    for department in services.list_departments():
        click.echo(f"{department.code:8} {department.name}")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([role.value for role in Role]),
    help="Repeat for several roles.",
)
@click.option("--department", "departments", multiple=True, help="Department code; repeatable.")
@click.option("--chair", is_flag=True, help="Chair of the governance committee.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, name, roles, departments, chair, password_stdin):
    """Create a user; asks for the password unless --password-stdin is given."""
    raw = {
        "email": email,
        "name": name,
        "roles": list(roles),
        "departments": list(departments),
        "is_chair": chair,
    }
    # Report input mistakes before asking for a password that would then be thrown away.
    early = UserIn().validate(raw)
    if early:
        fail(ValidationError(early))
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user, _ = services.create_user(raw, actor=None, password=password)
    except ValidationError as exc:
        fail(exc)
    db.session.commit()
    roles_text = ", ".join(sorted(user.role_set)) or "no roles"
    click.echo(f"Created user {user.email} ({roles_text})")


@tokens_cli.command("create")
@click.option("--email", required=True, help="Whose token: it acts with their permissions.")
@click.option("--name", default="command line", show_default=True, help="What it is for.")
def create_token(email, name):
    """Create an API token and print it once."""
    user = services.find_user_by_email(email)
    if user is None or not user.active:
        fail(ValidationError({"email": ["There is no active user with this email."]}))
    try:
        _, secret = tokens.create_token(user, {"name": name}, actor=None)
    except ValidationError as exc:
        fail(exc)
    db.session.commit()
    click.echo(secret)
