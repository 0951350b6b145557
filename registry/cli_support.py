"""What every command of the `registry` command line shares: who runs it (the operator), and
how it refuses input (what is wrong and where, nothing saved, a non-zero exit). The commands
import this; registry.cli registers them."""

import getpass
import sys

import click
from marshmallow import ValidationError

from registry.errors import DomainError
from registry.extensions import db
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
    db.session.rollback()
    if isinstance(exc, ValidationError):
        messages = exc.messages if isinstance(exc.messages, dict) else {"input": exc.messages}
        for field, problems in messages.items():
            for problem in problems if isinstance(problems, list) else [problems]:
                click.echo(f"Error: --{field.replace('_', '-')}: {problem}", err=True)
    else:
        click.echo(f"Error: {exc.message}", err=True)
    sys.exit(1)
