"""`registry demo`: loads the fictional City of Riverton, idempotently, for trying the registry."""

import click
from sqlalchemy import select

from registry import demo_review
from registry.accounts import services
from registry.accounts.models import Department, User
from registry.datasets import services as datasets
from registry.datasets.models import Dataset
from registry.demo_datasets import CATALOG, FORMATS, FREQUENCIES, RIGHTS
from registry.extensions import db
from registry.notifications.services import mark_read_except_newest

DEPARTMENTS = [
    ("PW", "Public Works", "Marisol Vega"),
    ("PD", "Police Department", "Lt. Aaron Whitfield"),
    ("FD", "Fire and Rescue", "Capt. Nia Brooks"),
    ("PR", "Parks and Recreation", "Jonah Meyers"),
    ("HD", "Public Health", "Dr. Priya Raman"),
    ("DOT", "Transportation", "Luis Carrillo"),
    ("PLN", "Planning and Development", "Grace Lindqvist"),
    ("FIN", "Finance", "Samuel Adeyemi"),
    ("LIB", "Public Library", "Hannah Cho"),
    ("HSG", "Housing and Community Services", "Tomás Ortega"),
    ("WTR", "Water Utility", "Beth Kowalski"),
    ("CLK", "City Clerk", "Ivan Petrov"),
]

DOMAIN = "riverton.example"

# Demo only: these passwords are printed by the command and listed in the README.
PASSWORDS = {
    "coordinator": "open-data-lead-2026",
    "steward": "department-data-2026",
    "committee": "governance-vote-2026",
    "stakeholder": "community-voice-2026",
    "auditor": "check-everything-2026",
}

PEOPLE = [
    ("coordinator", "Dana Okafor", "coordinator", ["coordinator"], [], False),
    ("auditor", "Rafael Mendes", "auditor", ["auditor"], [], False),
    ("chair", "Eleanor Park", "committee", ["committee"], ["CLK"], True),
    ("committee.legal", "Marcus Bell", "committee", ["committee"], [], False),
    ("committee.privacy", "Sofia Novak", "committee", ["committee"], [], False),
    ("committee.it", "Kwame Asante", "committee", ["committee"], [], False),
    ("committee.health", "Dr. Lena Fischer", "committee", ["committee"], ["HD"], False),
    ("stakeholder", "Aisha Karim", "stakeholder", ["stakeholder"], [], False),
    ("stakeholder.civic", "Ben Takahashi", "stakeholder", ["stakeholder"], [], False),
] + [
    (f"steward.{code.lower()}", steward, "steward", ["steward"], [code], False)
    for code, _name, steward in DEPARTMENTS
]


def load_demo_city() -> list[tuple[str, str, str, bool]]:
    """Creates whatever part of the demo city is missing; returns (email, password, roles, new)."""
    for code, name, contact in DEPARTMENTS:
        if db.session.scalar(db.select(Department).where(Department.code == code)):
            continue
        email = f"data.{code.lower()}@{DOMAIN}"
        services.create_department(
            {"code": code, "name": name, "contact_name": contact, "contact_email": email},
            actor=None,
        )
    accounts = []
    for local, name, password_key, roles, departments, chair in PEOPLE:
        email = f"{local}@{DOMAIN}"
        existing = services.find_user_by_email(email)
        if existing is None:
            services.create_user(
                {
                    "email": email,
                    "name": name,
                    "roles": roles,
                    "departments": departments,
                    "is_chair": chair,
                },
                actor=None,
                password=PASSWORDS[password_key],
            )
        accounts.append((email, PASSWORDS[password_key], ", ".join(roles), existing is None))
    return accounts


def _dataset_raw(code: str, number: int, entry: tuple, contact: tuple[str, str]) -> dict:
    title, classification, priority, themes, keywords, pii = entry
    pii_kinds = [kind.strip() for kind in pii.split(",") if kind.strip()]
    slug = title.lower().replace(" ", "-").replace(":", "")
    raw = {
        "title": title,
        "description": (
            f"{title} maintained by the City of Riverton. Updated from the department's "
            f"operational systems; see the data dictionary for field definitions."
        ),
        "department": code,
        "keywords": [keyword.strip() for keyword in keywords.split(",")],
        "themes": [themes],
        "contact_name": contact[0],
        "contact_email": contact[1],
        "classification": classification,
        "release_priority": priority,
        "contains_pii": bool(pii_kinds),
        "pii_kinds": pii_kinds,
        "update_frequency": FREQUENCIES[number % len(FREQUENCIES)],
        "formats": FORMATS[number % len(FORMATS)],
        "record_count": (number * 7919 + len(title) * 131) % 250_000 + 120,
        "temporal": f"{2008 + number % 10}-01-01/2025-12-31",
        "spatial": "City of Riverton",
        "source_system": ["Cityworks", "Tyler Munis", "Accela", "ArcGIS", "SharePoint"][number % 5],
        "language": ["en-US"],
        "license": "https://creativecommons.org/publicdomain/zero/1.0/",
        "data_dictionary": f"https://data.riverton.example/dictionaries/{slug}",
    }
    if classification in RIGHTS:
        raw["rights"] = RIGHTS[classification]
    return raw


def load_demo_datasets() -> list[Dataset]:
    """Registers the demo inventory as each department's steward; a few records get edits."""
    coordinator = services.find_user_by_email(f"coordinator@{DOMAIN}")
    existing = set(db.session.execute(select(Dataset.department_id, Dataset.title)).tuples())
    created: list[Dataset] = []
    for code, entries in CATALOG.items():
        department = services.get_department(code)
        steward = services.find_user_by_email(f"steward.{code.lower()}@{DOMAIN}")
        contact = (department.contact_name, department.contact_email)
        for number, entry in enumerate(entries):
            if (department.id, entry[0]) in existing:
                continue
            dataset = datasets.create_dataset(
                _dataset_raw(code, number, entry, contact), actor=steward
            )
            created.append(dataset)
            if number % 6 == 1:
                datasets.update_dataset(
                    dataset,
                    {"record_count": (dataset.record_count or 0) + 250, "version": dataset.version},
                    actor=steward,
                )
            if number % 9 == 4:
                datasets.update_dataset(
                    dataset,
                    {"release_priority": "high", "version": dataset.version},
                    actor=coordinator,
                )
    return created


def load_demo() -> tuple[list[tuple[str, str, str, bool]], list[Dataset]]:
    """Everything the demo city is missing, through the services, in the caller's transaction;
    returns the sign-ins and the datasets it added."""
    accounts = load_demo_city()
    new_datasets = load_demo_datasets()
    demo_review.advance(new_datasets)
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
