"""`registry audit verify` and `registry audit checkpoint`: check the hash chain, the records
against it, and that it still extends checkpoints kept outside the database."""

import json
import sys

import click
from flask import current_app

from registry.audit.checkpoints import take_checkpoint, verify_against
from registry.audit.services import verify_chain
from registry.db import reading_only

audit_cli = click.Group("audit", help="Inspect and anchor the audit log.")

# Other domains add checks that their records agree with the log: each a function returning a
# list of problems, kept in app.extensions under this name (see registry.integrity).
EXTRA_CHECKS = "registry_audit_checks"


@audit_cli.command("verify")
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    type=click.File("r"),
    help="A checkpoint file the log must still extend (may be given more than once).",
)
def verify(checkpoints):
    """Check that no audit event was altered, removed or reordered, that the records agree with
    their events, and that the log still extends each checkpoint given."""
    with reading_only():
        report = verify_chain()
        if not report.ok:
            click.echo(f"FAILED at event {report.first_bad_seq}: {report.problem}", err=True)
            click.echo(f"{report.checked} events before it verified.", err=True)
            sys.exit(1)
        failed = False
        for handle in checkpoints:
            try:
                checkpoint = json.load(handle)
            except ValueError:
                click.echo(f"FAILED: {handle.name} is not a checkpoint file.", err=True)
                sys.exit(1)
            against = verify_against(checkpoint)
            if against.ok:
                click.echo(f"OK: the log extends the checkpoint in {handle.name}.")
            else:
                click.echo(f"FAILED against {handle.name}: {against.problem}", err=True)
                failed = True
        problems = [
            problem for check in current_app.extensions.get(EXTRA_CHECKS, []) for problem in check()
        ]
    for problem in problems:
        click.echo(f"FAILED: {problem}", err=True)
    if failed or problems:
        sys.exit(1)
    click.echo(f"OK: {report.checked} audit events verified; the chain is intact.")


@audit_cli.command("checkpoint")
@click.option("-o", "--output", type=click.File("w"), default="-", help="Where to write it.")
def checkpoint(output):
    """Write a signed checkpoint of the log's head, to keep outside the database."""
    with reading_only():
        body = take_checkpoint()
    json.dump(body, output, indent=2)
    output.write("\n")
    if output.name != "<stdout>":
        click.echo(f"Checkpoint of event {body['seq']} written to {output.name}.", err=True)
