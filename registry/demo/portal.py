"""The demo city's portal, data.riverton.example, as its data.json answered the day the demo was
loaded (the demo runs on closed networks, where no portal answers; housekeeping's daily reading
then fails and says so, and this reading stays the last good one). It lists every released
record, changed yesterday, but for a dozen in known states, worked by hand in
tests/portal/test_demo_portal.py: late by a known number of days, described differently,
matched by landing page or by title alone, gone from the portal, released there only (one of
them a draft in the registry), and two links that answered an error."""

from datetime import timedelta

from sqlalchemy import select

from registry.datasets.models import Dataset
from registry.db import utcnow, utctoday
from registry.extensions import db
from registry.portal.models import PortalSource
from registry.portal.readers import PortalItem
from registry.portal.reconcile import add_source, keep_reading

PORTAL_URL = "https://data.riverton.example/data.json"

# Released records the portal shows otherwise, by title: how many days ago it last changed
# them, and what it says differently.
CASES: dict[str, dict] = {
    "Building Permits": {"age": 5},  # daily: delinquent, 4 days late
    "Bike Lane Network": {"age": 12},  # weekly: overdue, 5 days late
    "Vaccination Clinic Locations": {"age": 45},  # monthly: overdue, 14 days late
    "Trail Network": {"age": 100},  # quarterly: due (still on time), 8 days late
    "Building Footprints": {"age": 900},  # yearly: delinquent, 534 days late
    "Vendor Payments": {"age": 3},  # weekly: on time
    "Comprehensive Plan Land Use": {"title": "Land Use Plan (Comprehensive)"},
    "Hydrant Flushing Schedule": {
        "license": "https://opendatacommons.org/licenses/odbl/1-0/",
    },
    # Under the portal's own identifier, found by its landing page.
    "Solid Waste Collection Tonnage": {"external_id": "rv-swct-4x4a", "age": 2},
    # Under the portal's own identifier and no landing page: found by its title alone.
    "Library Collection Catalog": {"external_id": "lib-catalog-legacy", "landing": None},
}
# Released in the registry, gone from the portal.
REMOVED = ("Demolition Permits", "Bond Issuances")
# On the portal, never registered: (identifier, title, publisher); and one the registry holds
# as a draft (released without going through the committee).
ELSEWHERE = (
    ("rv-wifi-7k2m", "Library Wi-Fi Sessions", "Public Library"),
    ("rv-bnch-3q8z", "Street Furniture Inventory", "Public Works"),
    ("rv-pthr-9c1d", "Pothole Repair Requests", "Public Works"),
)
# Links the recorded check found answering an error: (title, what it said).
BROKEN = {
    "Bike Lane Network": "The landing page: {landing} answered 404.",
    "Audit Findings": "A download: {download} answered 500.",
}


def _item(record: Dataset, today) -> PortalItem:
    case = CASES.get(record.title, {})
    return PortalItem(
        external_id=case.get("external_id", record.identifier),
        title=case.get("title", record.title),
        description=record.description,
        landing_page=case.get("landing", record.landing_page),
        license=case.get("license", record.license),
        contact_email=record.contact_email,
        publisher=record.department.name,
        modified=today - timedelta(days=case.get("age", 1)),
        downloads=[_download(record.identifier)],
    )


def _download(identifier: str) -> str:
    return f"https://data.riverton.example/files/{identifier}.csv"


def load_demo_portal(coordinator) -> PortalSource | None:
    """The portal and its reading, unless the demo city has one already."""
    if db.session.scalar(select(PortalSource.id).where(PortalSource.url == PORTAL_URL)):
        return None
    source = add_source({"kind": "datajson", "url": PORTAL_URL}, actor=coordinator)
    today = utctoday()
    released = db.session.scalars(
        select(Dataset).where(Dataset.status == "published").order_by(Dataset.title)
    )
    items = [_item(record, today) for record in released if record.title not in REMOVED]
    items += [
        PortalItem(
            external_id,
            title,
            description=f"{title}, as the portal lists it.",
            publisher=publisher,
            modified=today - timedelta(days=1),
            downloads=[_download(external_id)],
        )
        for external_id, title, publisher in ELSEWHERE
    ]
    keep_reading(source, items, actor=coordinator)
    source.checked_at = utcnow()
    for entry in source.entries:
        entry.links_checked_at = utcnow()
        said = BROKEN.get(entry.dataset.title if entry.dataset else "")
        entry.link_problem = (
            said.format(landing=entry.landing_page, download=entry.downloads[0]) if said else None
        )
    db.session.flush()
    return source
