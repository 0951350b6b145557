"""`registry portal add|check`: register the city's portal and set it against the registry from
the command line (and from cron, though housekeeping reads each portal daily)."""

import click
from marshmallow import ValidationError

from registry.cli_support import CommandLineOperator, fail
from registry.extensions import db
from registry.portal.drift import drift
from registry.portal.reconcile import add_source, check_source, list_sources

portal_cli = click.Group("portal", help="The city's portals, set against the registry.")


@portal_cli.command("add")
@click.option("--kind", required=True, type=click.Choice(["datajson", "ckan", "socrata"]))
@click.option("--url", required=True, help="The data.json, the CKAN site or Socrata's catalog API.")
@click.option("--allow-private", is_flag=True, help="The portal is on the city's own network.")
def add(kind, url, allow_private):
    """Register a portal."""
    raw = {"kind": kind, "url": url, "allow_private": allow_private}
    try:
        source = add_source(raw, actor=CommandLineOperator())
    except ValidationError as exc:
        fail(exc)
    db.session.commit()
    click.echo(f"Registered portal {source.id}: {source.url}")


@portal_cli.command("check")
def check():
    """Read every portal now and print the drift."""
    failed = 0
    for source in list_sources():
        problem = check_source(source, actor=CommandLineOperator())
        db.session.commit()
        if problem:
            failed += 1
            click.echo(
                f"Portal {source.id} could not be read (nothing changed): {problem}", err=True
            )
        else:
            click.echo(f"Portal {source.id}: {source.last_count} datasets read from {source.url}")
    found = drift()
    late = found.late
    click.echo(f"Released on a portal, not in the registry: {len(found.elsewhere)}")
    click.echo(f"Published in the registry, on no portal: {len(found.missing)}")
    click.echo(f"Described differently: {len(found.differs)}")
    click.echo(f"Matches to confirm: {len(found.uncertain)}")
    click.echo(f"Not updated as often as they say: {len(late)} of {len(found.fresh)}")
    for item in sorted(late, key=lambda item: -item.freshness.days_late)[:20]:
        click.echo(
            f"  {item.record.identifier}  {item.freshness.label}, "
            f"{item.freshness.days_late} days late  {item.record.title}"
        )
    if failed:
        raise SystemExit(1)
