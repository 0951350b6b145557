"""`registry mail send`: retry the email outbox (run it from cron where mail matters)."""

import click

from registry.notifications.services import deliver_pending, mail_enabled

mail_cli = click.Group("mail", help="Send queued email.")


@mail_cli.command("send")
def send():
    """Send every queued email that has not gone out yet."""
    if not mail_enabled():
        click.echo("Mail is not configured (set REGISTRY_MAIL_SERVER); nothing to send.")
        return
    sent, failed = deliver_pending(limit=1000)
    click.echo(f"{sent} sent, {failed} failed (they will be retried).")
