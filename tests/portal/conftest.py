"""The city and its portal the portal tests share: four released records, and a portal
(tests/portal/portal_server.py) that knows three of them and one the registry never heard of."""

from datetime import timedelta

import pytest

from registry.db import utctoday
from tests.portal.portal_server import Portal


@pytest.fixture
def portal():
    served = Portal()
    yield served
    served.stop()


def _entry(identifier, title, *, modified, publisher="Public Works", **more):
    return {
        "identifier": identifier,
        "title": title,
        "description": more.pop("description", f"About {title}."),
        "modified": modified.isoformat(),
        "publisher": {"name": publisher},
        "contactPoint": {"fn": "Data", "hasEmail": "mailto:contact@city.example"},
        "distribution": [{"downloadURL": f"https://files.city.example/{identifier}.csv"}],
        **more,
    }


@pytest.fixture
def city(make, portal):
    """Four released records and a portal that knows three of them, one by each way of
    matching, and lists one dataset the registry never heard of."""
    make.department(code="PW", name="Public Works")
    today = utctoday()
    monthly = make.published("PW", title="Street Trees", update_frequency="R/P1M")
    weekly = make.published("PW", title="Pothole Repairs", update_frequency="R/P1W")
    yearly = make.published("PW", title="Bridge Inspections", update_frequency="R/P1Y")
    missing = make.published("PW", title="Snow Routes")
    portal.datasets = [
        # By identifier: monthly, last changed 40 days ago -> overdue, 9 days late.
        _entry(
            monthly.identifier,
            "Street Trees",
            modified=today - timedelta(days=40),
            description=monthly.description,
        ),
        # By landing page, under another title (metadata differs): weekly, 8 days -> due.
        _entry(
            "socrata-4x4a",
            "Potholes fixed",
            modified=today - timedelta(days=8),
            landingPage=f"https://data.city.example/{weekly.identifier}",
        ),
        # By title alone (uncertain): yearly, 900 days ago -> delinquent (past 2 x 366 + 91),
        # 534 days late.
        _entry(
            "b7-99",
            "Bridge Inspections",
            modified=today - timedelta(days=900),
            description=yearly.description,
        ),
        # Released straight to the portal.
        _entry("zz-01", "Parking Citations", modified=today, publisher="Police"),
    ]
    return {"monthly": monthly, "weekly": weekly, "yearly": yearly, "missing": missing}
