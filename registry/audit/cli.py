"""`registry audit verify` and `registry audit checkpoint`: check the hash chain, the records
against it, and that it still extends checkpoints kept outside the database."""

import json
import sys

import click

from registry.audit.checkpoints import take_checkpoint
from registry.audit.verification import verify_everything
from registry.db import reading_only

audit_cli = click.Group("audit", help="Inspect and anchor the audit log.")


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
    bodies = []
    for handle in checkpoints:
        try:
            bodies.append((handle.name, json.load(handle)))
        except ValueError:
            click.echo(f"FAILED: {handle.name} is not a checkpoint file.", err=True)
            sys.exit(1)
    with reading_only():
        result = verify_everything(bodies)
    for line in result.confirmed:
        click.echo(f"OK: {line}")
    for problem in result.problems:
        click.echo(f"FAILED: {problem}", err=True)
    if not result.ok:
        sys.exit(1)


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
