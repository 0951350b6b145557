"""The `registry` command: Flask's own commands (run, routes, shell, db) plus the registry's."""

import click
from flask import Flask
from flask.cli import FlaskGroup

from registry import create_app
from registry.accounts.cli import departments_cli, tokens_cli, users_cli
from registry.audit.cli import audit_cli
from registry.backup import backup_command, restore_command
from registry.demo import demo_command
from registry.housekeeping import housekeeping_command
from registry.notifications.cli import mail_cli
from registry.portal.cli import portal_cli
from registry.transfer.cli import export_command, import_command, worker_command


def init_cli(app: Flask) -> None:
    for command in (
        departments_cli,
        users_cli,
        tokens_cli,
        audit_cli,
        mail_cli,
        portal_cli,
        demo_command,
        backup_command,
        restore_command,
        export_command,
        import_command,
        housekeeping_command,
        worker_command,
    ):
        app.cli.add_command(command)


@click.group(cls=FlaskGroup, create_app=create_app)
def main() -> None:
    """City Data Registry: the system of record for a city's open data program."""
