"""axe-core over every page, for every audience, signed in and not, on a laptop and on a phone:
no serious or critical violation anywhere, and no page wider than a phone's screen. Pages come
from the app's own routes, so a new page is checked too."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.accounts.models import User
from registry.audit import runs
from registry.datasets.models import Dataset
from registry.db import reading_only, utcnow
from registry.extensions import db
from registry.transfer.models import ExportJob
from tests.browser.test_accounts_browser import sign_in_by_keyboard

pytestmark = pytest.mark.browser

PEOPLE = {
    "public": None,
    "steward": ("steward.pw@riverton.example", "department-data-2026"),
    "coordinator": ("coordinator@riverton.example", "open-data-lead-2026"),
    "chair": ("chair@riverton.example", "governance-vote-2026"),
    "stakeholder": ("stakeholder@riverton.example", "community-voice-2026"),
    "auditor": ("auditor@riverton.example", "check-everything-2026"),
}

# Routes that are not pages: JSON, downloads, the health check.
NOT_PAGES = (
    "/api/v1",
    "/static",
    "/bootstrap",
    "/healthz",
    "/exports/inventory",
    "/exports/data.json",
    "/exports/catalog.jsonld",
    "/audit/export.",
    "/data.json",
    "/catalog.jsonld",
    "/stats/",
    "/feeds/",
    "/report.",
    "/exports/jobs/<int:job_id>/",  # a job's progress (JSON) and its file
    "/imports/<int:upload_id>/mapping.txt",  # a download
    "/imports/jobs/",  # an import job's page: test_import_browser runs axe on it under way
    "/robots.txt",  # for crawlers, not people
    "/sign-in/city",  # the way to the city's sign-in and back (not set up in the demo)
    "/sitemap",
    "/performance.csv",
)


def _record(status: str, classification: str = "public") -> str:
    return db.session.scalar(
        select(Dataset.identifier)
        .where(
            Dataset.status == status,
            Dataset.classification == classification,
            Dataset.department.has(code="PW"),
        )
        .order_by(Dataset.id)
        .limit(1)
    )


@pytest.fixture(scope="module")
def pages(live_app):
    """Every GET page of the app, its placeholders filled with demo records (and two of the
    coordinator's background exports: one under way, one that failed)."""
    with live_app.app_context():
        coordinator = db.session.scalar(
            select(User.id).where(User.email == "coordinator@riverton.example")
        )
        jobs = [
            ExportJob(
                user_id=coordinator,
                format="xlsx",
                scope="full",
                status=status,
                rows_expected=200,
                rows_written=written,
                filename="inventory-full.xlsx",
                error=error,
            )
            for status, written, error in (
                ("running", 80, None),
                ("failed", 0, "The registry stopped while preparing this file. Prepare it again."),
            )
        ]
        db.session.add_all(jobs)
        db.session.commit()
        job_pages = [f"/exports/jobs/{job.id}" for job in jobs]
        # A verification of the audit log that has run (inline here), and one waiting.
        auditor = db.session.scalar(select(User).where(User.email == "auditor@riverton.example"))
        verified, waiting = (runs.start_verification(auditor) for _ in range(2))
        db.session.commit()
        runs.run_verification(verified.id)
        verification_pages = [f"/audit/verify/{verified.id}", f"/audit/verify/{waiting.id}"]
    with live_app.app_context(), reading_only():
        committee = _record("in_committee", "internal") or _record("in_committee")
        approved, published, draft = (
            _record("approved"),
            _record("published"),
            _record("draft"),
        )
        overdue = db.session.scalar(
            select(Dataset.identifier)
            .where(Dataset.status == "approved", Dataset.department.has(code="PW"))
            .limit(1)
        )
        coordinator_id = db.session.scalar(
            select(Dataset.steward_id).where(Dataset.identifier == draft)
        )
    this_month = utcnow().date().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    stock_takes = [
        f"/performance/stock-takes/PW/{month.isoformat()[:7]}" for month in (this_month, last_month)
    ]
    fills = {
        "/datasets/<identifier>/actions/<action>": [
            f"/datasets/{draft}/actions/submit",
            f"/datasets/{approved}/actions/publish",
            f"/datasets/{committee}/actions/decide",
        ],
        "/datasets/<identifier>/decisions/<int:review_round>": [
            f"/datasets/{published}/decisions/1"
        ],
        "/datasets/<identifier>/vote": [f"/datasets/{committee}/vote"],
        "/datasets/<identifier>": [
            f"/datasets/{draft}",
            f"/datasets/{committee}",
            f"/datasets/{published}",
        ],
        "/datasets/<identifier>/edit": [f"/datasets/{draft}/edit"],
        "/datasets/<identifier>/history": [f"/datasets/{published}/history"],
        "/admin/users/<int:user_id>/edit": [f"/admin/users/{coordinator_id}/edit"],
        "/admin/departments/<code>/edit": ["/admin/departments/PW/edit"],
        # The demo's closed round (1) and open one (2), a request, a candidate's pages.
        "/rounds/<int:round_id>": ["/rounds/1", "/rounds/2"],
        "/requests/<int:request_id>": ["/requests/1", "/requests/3"],
        "/queue/<identifier>/override": [f"/queue/{committee}/override"],
        "/datasets/<identifier>/assessment": [f"/datasets/{committee}/assessment"],
        "/admin/priorities/<int:priority_id>": ["/admin/priorities/1"],
        "/catalog/<identifier>": [f"/catalog/{published}"],
        "/committee/meetings/<int:meeting_id>": ["/committee/meetings/1"],
        "/committee/meetings/<int:meeting_id>/edit": ["/committee/meetings/1/edit"],
        "/datasets/<identifier>/delay": [f"/datasets/{overdue}/delay"],
        "/exports/jobs/<int:job_id>": job_pages,
        # My work, and two of its lists on pages of their own (a 404 for those without them).
        "/work": ["/work", "/work?kind=overdue", "/work?kind=drafts"],
        "/audit/verify/<int:run_id>": verification_pages,
        "/invitation/<token>": ["/invitation/not-an-invitation"],  # the page of a spent link
        # The demo's measures: one on restricted data, one missing its last month, one of
        # Public Works (the steward's) with a value corrected; the city's as of a year ago.
        "/performance": ["/performance", "/performance?as_of=2025-12-01"],
        "/performance/measures/<int:measure_id>": [
            "/performance/measures/1",
            "/performance/measures/6",
            "/performance/measures/7",
        ],
        "/performance/measures/<int:measure_id>/edit": ["/performance/measures/7/edit"],
        # Public Works' stock-take: this month's agenda (open to record) and last month's.
        "/performance/stock-takes/<code>/<month>": stock_takes,
    }
    found = []
    for rule in live_app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(NOT_PAGES):
            continue
        found += fills.get(rule.rule, [rule.rule])
    assert all("<" not in path for path in found), "fill in the new route's placeholders"
    return sorted(set(found))


WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("who", list(PEOPLE))
def test_no_page_has_a_serious_accessibility_violation_or_runs_off_a_phone(
    browser, live_server, pages, axe, who, width, screenshot
):
    wide, high = WIDTHS[width]
    context = browser.new_context(viewport={"width": wide, "height": high})
    page = context.new_page()
    if PEOPLE[who]:
        sign_in_by_keyboard(page, live_server, *PEOPLE[who])
    problems = {}
    for path in pages:
        page.goto(f"{live_server}{path}")
        found = axe(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            found = [*found, f"{overflow} px wider than the screen"]
        if found:
            problems[path] = found
            screenshot(f"axe-{who}-{width}-{path.strip('/').replace('/', '_')}", target=page)
    context.close()
    assert problems == {}
