"""`registry audit verify`: check the hash chain from the first event to the last."""

import sys

import click

from registry.audit.services import verify_chain

audit_cli = click.Group("audit", help="Inspect the audit log.")


@audit_cli.command("verify")
def verify():
    """Check that no audit event was altered, removed or reordered."""
    report = verify_chain()
    if report.ok:
        click.echo(f"OK: {report.checked} audit events verified; the chain is intact.")
        return
    click.echo(f"FAILED at event {report.first_bad_seq}: {report.problem}", err=True)
    click.echo(f"{report.checked} events before it verified.", err=True)
    sys.exit(1)
