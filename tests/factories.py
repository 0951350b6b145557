"""Test factories that create records through the same services the app uses."""

import itertools
from datetime import date

from registry.accounts import services as accounts
from registry.db import utctoday
from registry.extensions import db

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def department(code: str | None = None, name: str | None = None, **fields):
    number = next(_counter)
    code = code or f"D{number}"
    created = accounts.create_department(
        {"code": code, "name": name or f"Department {code}", **fields}, actor=None
    )
    db.session.commit()
    return created


def user(
    *roles: str,
    departments=(),
    email: str | None = None,
    chair: bool = False,
    password=PASSWORD,
    name: str | None = None,
):
    number = next(_counter)
    departments = list(departments)
    if "steward" in roles and not departments:
        departments = [department().code]
    created, _ = accounts.create_user(
        {
            "email": email or f"user{number}@city.example",
            "name": name or f"Test User {number}",
            "roles": list(roles),
            "departments": departments,
            "is_chair": chair,
        },
        actor=None,
        password=password,
    )
    db.session.commit()
    return created


def token(owner, name: str = "test token"):
    from registry.accounts.tokens import create_token

    created, secret = create_token(owner, {"name": name}, actor=owner)
    db.session.commit()
    created.secret = secret
    return created


def dataset(actor=None, **fields):
    """A draft registered by the coordinator (or `actor`); fields override sensible defaults."""
    from registry.datasets.services import create_dataset

    number = next(_counter)
    raw = {
        "title": f"Dataset {number}",
        "description": f"Description of dataset {number}.",
        "classification": "public",
        **fields,
    }
    if "department" not in raw:
        raw["department"] = department().code
    if raw["classification"] in ("sensitive", "restricted"):
        raw.setdefault("rights", "State public records law exemption")
    created = create_dataset(raw, actor=actor or user("coordinator"))
    db.session.commit()
    return created


COMPLETE = {
    "description": "What it holds.",
    "keywords": ["k"],
    "themes": ["Health"],
    "contact_name": "Contact",
    "contact_email": "contact@city.example",
    "update_frequency": "R/P1M",
    "distributions": [
        {
            "download_url": "https://data.city.example/d.csv",
            "media_type": "text/csv",
            "format": "CSV",
        }
    ],
}


def in_committee(department_code: str | None = None, **fields):
    """A complete dataset submitted by its steward and sent to the committee."""
    from registry.reviews.services import perform_transition

    code = department_code or department().code
    steward = user("steward", departments=[code])
    created = dataset(actor=steward, department=code, **{**COMPLETE, **fields})
    perform_transition(created, {"action": "submit"}, actor=steward)
    perform_transition(created, {"action": "send_to_committee"}, actor=user("coordinator"))
    db.session.commit()
    return created


def browser_session(user) -> str:
    """A signed-in session for the user, as sign-in makes; the value the cookie carries."""
    from registry.accounts.sessions import start_session

    key = start_session(user)
    db.session.commit()
    return key


def voting_round(actor=None, *, opens_in_hours: float = -1, closes_in_hours: float = 24, **fields):
    """A voting round created by a coordinator; open now unless the hours say otherwise."""
    from datetime import timedelta

    from registry.db import utcnow
    from registry.priorities.rounds import create_round

    now = utcnow()
    raw = {
        "title": "Release priorities",
        "opens_at": (now + timedelta(hours=opens_in_hours)).isoformat(),
        "closes_at": (now + timedelta(hours=closes_in_hours)).isoformat(),
        **fields,
    }
    created = create_round(raw, actor=actor or user("coordinator"))
    db.session.commit()
    return created


def data_request(actor=None, **fields):
    """A data request from a stakeholder (or `actor`)."""
    from registry.priorities.requests import submit_request

    number = next(_counter)
    raw = {
        "title": f"Requested data {number}",
        "description": "Please publish this data for the public.",
        **fields,
    }
    created = submit_request(raw, actor=actor or user("stakeholder"), address="192.0.2.1")
    db.session.commit()
    return created


def city_priority(name: str = "Safe neighbourhoods"):
    from registry.priorities.program import save_city_priority

    created = save_city_priority({"name": name}, actor=user("coordinator"))
    db.session.commit()
    return created


def measure(department_code: str | None = None, *, priority: str | None = None, **fields):
    """A measure under a city priority (made if there is none of that name), defined by the
    coordinator: monthly, higher is better, 90 % by the end of next year."""
    from registry.performance.models import CityPriority
    from registry.performance.services import create_measure

    name = priority or "Safe neighbourhoods"
    if db.session.scalar(db.select(CityPriority.id).where(CityPriority.name == name)) is None:
        city_priority(name)
    created = create_measure(
        {
            "priority": name,
            "department": department_code or department().code,
            "name": "Calls answered within 8 minutes",
            "counts": "The share of emergency calls answered within 8 minutes.",
            "unit": "%",
            "direction": "higher",
            "target": 90,
            "target_date": date(utctoday().year + 1, 12, 31).isoformat(),
            "frequency": "monthly",
            **fields,
        },
        actor=user("coordinator"),
    )
    db.session.commit()
    return created


def approved(department_code: str | None = None, *, target=None, **fields):
    """A complete dataset approved at a meeting by a chair, for release by `target` (a date)."""
    from registry.reviews.services import perform_transition

    record = in_committee(department_code, **fields)
    chair = user("committee", chair=True)
    perform_transition(
        record,
        {
            "action": "decide",
            "outcome": "approve",
            "note": "Approved at the meeting.",
            "minutes_reference": "Minutes of the meeting",
            "release_target_date": target.isoformat() if target else None,
        },
        actor=chair,
    )
    db.session.commit()
    return record


def published(department_code: str | None = None, *, target=None, **fields):
    """An approved dataset the coordinator published (today, by the clock)."""
    from registry.reviews.services import perform_transition

    record = approved(department_code, target=target, **fields)
    perform_transition(
        record,
        {"action": "publish", "landing_page": f"https://data.city.example/{record.identifier}"},
        actor=user("coordinator"),
    )
    db.session.commit()
    return record
