"""The `registry` command: Flask's own commands (run, routes, shell, db) plus the registry's."""

import getpass
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup
from marshmallow import ValidationError

from registry.errors import DomainError
from registry.permissions import Role


class CommandLineOperator:
    """Whoever runs a command on the server: they read and write as a coordinator and an auditor
    may (they could read the database anyway), and the audit log names them as the command line
    and their system account."""

    is_authenticated = True
    is_active = True
    active = True
    is_chair = False
    id = None
    departments: list = []
    department_codes: list = []
    role_set = frozenset({Role.COORDINATOR, Role.AUDITOR})
    name = "Command line"

    def __init__(self) -> None:
        self.email = f"command line ({getpass.getuser()})"


def fail(exc: ValidationError | DomainError) -> None:
    """Reports what is wrong and where, rolls back, and exits non-zero: nothing is half-saved."""
    from registry.extensions import db

    db.session.rollback()
    if isinstance(exc, ValidationError):
        messages = exc.messages if isinstance(exc.messages, dict) else {"input": exc.messages}
        for field, problems in messages.items():
            for problem in problems if isinstance(problems, list) else [problems]:
                click.echo(f"Error: --{field.replace('_', '-')}: {problem}", err=True)
    else:
        click.echo(f"Error: {exc.message}", err=True)
    sys.exit(1)


def init_cli(app: Flask) -> None:
    from registry.accounts.cli import departments_cli, tokens_cli, users_cli
    from registry.audit.cli import audit_cli
    from registry.backup import backup_command, restore_command
    from registry.demo import demo_command
    from registry.housekeeping import housekeeping_command
    from registry.notifications.cli import mail_cli
    from registry.transfer.cli import export_command, import_command, worker_command

    for command in (
        departments_cli,
        users_cli,
        tokens_cli,
        audit_cli,
        mail_cli,
        demo_command,
        backup_command,
        restore_command,
        export_command,
        import_command,
        housekeeping_command,
        worker_command,
    ):
        app.cli.add_command(command)


def _create_app():
    from registry import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def main() -> None:
    """City Data Registry: the system of record for a city's open data program."""
