"""`registry demo`: loads the fictional City of Riverton, idempotently, for trying the registry.

The city (city.py), its inventory (inventory.py, from catalogue.csv) and the review history
that moves part of it through every state (reviews.py), the open data program's rounds,
requests and priorities (program.py), and a reading of its portal (portal.py), all through the
services.
"""

from datetime import timedelta

import click
from sqlalchemy import select

from registry.accounts.models import User
from registry.datasets.models import Dataset
from registry.db import clock_at, utcnow
from registry.demo import reviews
from registry.demo.city import DEPARTMENTS, DOMAIN, load_demo_city
from registry.demo.inventory import load_demo_datasets
from registry.demo.portal import load_demo_portal
from registry.demo.program import load_demo_program
from registry.demo.timeline import Timeline
from registry.extensions import db
from registry.notifications.services import mark_read_except_newest

__all__ = ["demo_command", "load_demo", "load_demo_city", "load_demo_datasets"]


# The demo city's history: its people and departments two years ago, its first inventory drive
# over the next two months, reviews and releases from then until last week, and the program's
# rounds and requests over the last four months.
HISTORY_DAYS = 730
INVENTORY_DRIVE_DAYS = 60


def load_demo() -> tuple[list[tuple[str, str, str, bool]], list[Dataset]]:
    """Everything the demo city is missing, through the services, in the caller's transaction;
    returns the sign-ins and the datasets it added."""
    now = utcnow()
    began = now - timedelta(days=HISTORY_DAYS)
    with clock_at(began):
        accounts = load_demo_city()
    new_datasets = load_demo_datasets(began + timedelta(hours=1), INVENTORY_DRIVE_DAYS)
    timeline = Timeline()
    reviews.advance(
        new_datasets,
        timeline,
        began + timedelta(days=INVENTORY_DRIVE_DAYS + 1),
        now - timedelta(days=7),
    )
    load_demo_program(timeline)
    timeline.run()
    coordinator = db.session.scalar(select(User).where(User.email == f"coordinator@{DOMAIN}"))
    load_demo_portal(coordinator)
    settle_inboxes()
    return accounts, new_datasets


def settle_inboxes(keep: int = 5) -> None:
    """Everyone starts with their few newest notices unread, as if they had kept up."""
    for user in db.session.scalars(select(User)):
        mark_read_except_newest(user, keep)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing if the registry already has users.")
def demo_command(if_empty):
    """Load the demo city (safe to run again: it only adds what is missing)."""
    if if_empty and db.session.scalar(db.select(User.id).limit(1)) is not None:
        click.echo("The registry already has users; the demo city was not loaded.")
        return
    accounts, new_datasets = load_demo()
    db.session.commit()
    created = sum(1 for account in accounts if account[3])
    click.echo(
        f"Demo city of Riverton ready: {len(DEPARTMENTS)} departments, {created} new users, "
        f"{len(new_datasets)} new datasets."
    )
    click.echo("Demo sign-ins (demo only, never use these passwords for real data):")
    for email, password, roles, _new in accounts:
        click.echo(f"  {email:38} {password:24} {roles}")
