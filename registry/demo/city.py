"""The demo city's departments and people (demo only: the passwords are public)."""

from registry.accounts import services
from registry.accounts.models import Department
from registry.extensions import db

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
    ("stakeholder.youth", "Maya Hernández", "stakeholder", ["stakeholder"], [], False),
    ("stakeholder.business", "Oliver Grant", "stakeholder", ["stakeholder"], [], False),
    ("stakeholder.neighbours", "Fatima Yusuf", "stakeholder", ["stakeholder"], [], False),
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
