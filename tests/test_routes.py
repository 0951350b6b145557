"""Every route of the app, for every role and for an anonymous visitor, answers as the table says.

A route missing from ROUTES fails test_every_route_is_in_the_table: when you add a route, add its
row here. Requests carry no body, so a permitted form POST answers 422 (the form's errors) or the
redirect that follows the action.
"""

import pytest
from sqlalchemy import select

from registry.audit.runs import start_verification
from registry.datasets.models import Theme
from registry.extensions import db
from registry.reviews.meetings import save_meeting
from tests import factories

ROLES = ("anonymous", "steward", "coordinator", "committee", "stakeholder", "auditor")


def expect(anonymous, default, **by_role):
    return {role: by_role.get(role, default) for role in ROLES} | {"anonymous": anonymous}


EVERYONE = expect(200, 200)
SIGNED_IN = expect(302, 200)
COORDINATOR_PAGE = expect(302, 403, coordinator=200)
COORDINATOR_FORM = expect(302, 403, coordinator=422)
COORDINATOR_ACTION = expect(302, 403, coordinator=302)
AUDIT_PAGE = expect(302, 403, coordinator=200, auditor=200)
API_SIGNED_IN = expect(401, 200)
API_AUDIT = expect(401, 403, coordinator=200, auditor=200)
# The world's dataset is an internal draft of another department: every role may read it (the
# public only once published); only the coordinator may edit it.
DATASET_PAGE = expect(404, 200)
DATASET_EDITOR_PAGE = expect(302, 403, coordinator=200)
DATASET_EDITOR_FORM = expect(302, 403, coordinator=422)
REGISTER_PAGE = expect(302, 403, coordinator=200, steward=200)
REGISTER_FORM = expect(302, 403, coordinator=422, steward=422)

ROUTES = {
    ("GET", "/"): EVERYONE,
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/sign-in"): expect(200, 302),
    ("POST", "/sign-in"): expect(422, 302),
    ("POST", "/sign-out"): expect(302, 302),
    # Signing in with the city's account, not set up here: back to the sign-in page.
    ("GET", "/sign-in/city"): expect(302, 302),
    ("GET", "/sign-in/city/return"): expect(401, 401),
    ("GET", "/admin/city-sign-in"): COORDINATOR_PAGE,
    ("POST", "/admin/city-sign-in"): COORDINATOR_FORM,
    ("GET", "/account"): SIGNED_IN,
    ("POST", "/account/password"): expect(302, 422),
    ("GET", "/admin/departments"): COORDINATOR_PAGE,
    ("GET", "/admin/departments/new"): COORDINATOR_PAGE,
    ("POST", "/admin/departments/new"): COORDINATOR_FORM,
    ("GET", "/admin/departments/<code>/edit"): COORDINATOR_PAGE,
    ("POST", "/admin/departments/<code>/edit"): COORDINATOR_FORM,
    ("GET", "/admin/users"): COORDINATOR_PAGE,
    ("GET", "/admin/tokens"): COORDINATOR_PAGE,
    ("POST", "/admin/tokens/<int:token_id>/revoke"): COORDINATOR_ACTION,
    ("GET", "/admin/users/new"): COORDINATOR_PAGE,
    ("POST", "/admin/users/new"): COORDINATOR_FORM,
    ("GET", "/admin/users/<int:user_id>/edit"): COORDINATOR_PAGE,
    ("POST", "/admin/users/<int:user_id>/edit"): COORDINATOR_FORM,
    ("POST", "/admin/users/<int:user_id>/deactivate"): COORDINATOR_ACTION,
    ("POST", "/admin/users/<int:user_id>/activate"): COORDINATOR_ACTION,
    ("POST", "/admin/users/<int:user_id>/reset-password"): expect(302, 403, coordinator=200),
    ("POST", "/admin/users/<int:user_id>/invite"): expect(302, 403, coordinator=200),
    ("GET", "/invitation/<token>"): expect(410, 410),
    ("POST", "/invitation/<token>"): expect(410, 410),
    ("POST", "/account/tokens"): expect(302, 422),
    ("POST", "/account/tokens/<int:token_id>/revoke"): expect(302, 404),
    ("GET", "/datasets"): SIGNED_IN,  # a visitor is sent to the catalog
    ("GET", "/datasets/new"): REGISTER_PAGE,
    ("POST", "/datasets/new"): REGISTER_FORM,
    ("GET", "/datasets/<identifier>"): DATASET_PAGE,
    ("GET", "/datasets/<identifier>/edit"): DATASET_EDITOR_PAGE,
    ("POST", "/datasets/<identifier>/edit"): DATASET_EDITOR_FORM,
    ("POST", "/datasets/<identifier>/notes-seen"): COORDINATOR_ACTION,
    ("GET", "/datasets/<identifier>/history"): DATASET_PAGE,
    # The world's draft offers "submit" to the coordinator only (its steward is someone else);
    # anyone else is sent back to the dataset page. Votes are not open on a draft.
    ("GET", "/datasets/<identifier>/actions/<action>"): expect(302, 302, coordinator=200),
    ("POST", "/datasets/<identifier>/actions/<action>"): expect(302, 403, coordinator=422),
    ("GET", "/datasets/<identifier>/vote"): expect(302, 302),
    ("POST", "/datasets/<identifier>/vote"): expect(302, 403, committee=409),
    ("GET", "/datasets/<identifier>/decisions/<int:review_round>"): expect(404, 404),
    ("GET", "/inbox"): SIGNED_IN,
    ("GET", "/work"): SIGNED_IN,
    ("POST", "/work/requests/acknowledge"): COORDINATOR_ACTION,
    ("POST", "/work/steward"): expect(302, 302),
    ("POST", "/inbox/read"): expect(302, 302),
    ("GET", "/admin/committee"): COORDINATOR_PAGE,
    ("POST", "/admin/committee"): COORDINATOR_FORM,
    ("GET", "/audit"): AUDIT_PAGE,
    ("GET", "/audit/head"): EVERYONE,
    ("GET", "/audit/export.<any(csv, jsonl):extension>"): AUDIT_PAGE,
    ("GET", "/audit/verify"): AUDIT_PAGE,
    ("POST", "/audit/verify"): expect(302, 403, coordinator=302, auditor=302),
    ("GET", "/audit/verify/<int:run_id>"): AUDIT_PAGE,
    ("GET", "/exports"): EVERYONE,
    ("GET", "/exports/inventory.<any(xlsx, csv):extension>"): EVERYONE,
    ("GET", "/exports/data.json"): EVERYONE,
    ("GET", "/exports/catalog.jsonld"): EVERYONE,
    # A form without its fields is sent back to the exports page, with the problem flashed.
    ("POST", "/exports/jobs"): expect(302, 302),
    # Job 1 does not exist: for anyone signed in, as for those who did not ask for it, a 404.
    ("GET", "/exports/jobs/<int:job_id>"): expect(302, 404),
    ("GET", "/exports/jobs/<int:job_id>/status"): expect(302, 404),
    ("GET", "/exports/jobs/<int:job_id>/file"): expect(302, 404),
    ("GET", "/data.json"): EVERYONE,
    ("GET", "/catalog.jsonld"): EVERYONE,
    # The city's portals set against the registry (no portal here: 404 for the coordinator).
    ("GET", "/portal"): AUDIT_PAGE,
    ("POST", "/portal/sources"): COORDINATOR_FORM,
    ("POST", "/portal/sources/<int:source_id>/check"): expect(302, 403, coordinator=404),
    ("POST", "/portal/entries/<int:entry_id>/match"): expect(302, 403, coordinator=404),
    ("POST", "/portal/entries/<int:entry_id>/import"): expect(302, 403, coordinator=404),
    ("POST", "/portal/entries/<int:entry_id>/settle"): expect(302, 403, coordinator=404),
    ("POST", "/api/v1/portal/datasets/<int:entry_id>/import"): expect(401, 403, coordinator=400),
    ("POST", "/api/v1/portal/datasets/<int:entry_id>/settle"): expect(401, 403, coordinator=400),
    ("GET", "/api/v1/portal/sources"): API_AUDIT,
    ("GET", "/api/v1/portal/drift"): API_AUDIT,
    ("GET", "/imports"): expect(302, 403, coordinator=200, steward=200),
    # No file: the form's errors. An upload that is not theirs (or none) is not found.
    ("POST", "/imports"): expect(302, 403, coordinator=422, steward=422),
    ("POST", "/imports/<int:upload_id>/confirm"): expect(302, 403, coordinator=404, steward=404),
    ("GET", "/imports/jobs/<int:job_id>"): expect(302, 403, coordinator=404, steward=404),
    ("GET", "/imports/jobs/<int:job_id>/status"): expect(302, 403, coordinator=404, steward=404),
    ("POST", "/imports/<int:upload_id>/read"): expect(302, 403, coordinator=404, steward=404),
    ("GET", "/imports/<int:upload_id>/mapping.txt"): expect(302, 403, coordinator=404, steward=404),
    # The program: rounds, requests, the queue, assessments and the coordinator's settings.
    ("GET", "/rounds"): EVERYONE,
    ("GET", "/rounds/<int:round_id>"): EVERYONE,
    # No candidate: the stakeholder is sent back to the round with the error.
    ("POST", "/rounds/<int:round_id>/votes"): expect(302, 403, stakeholder=302),
    ("POST", "/rounds/<int:round_id>/close"): COORDINATOR_ACTION,
    ("GET", "/admin/rounds/new"): COORDINATOR_PAGE,
    ("POST", "/admin/rounds/new"): COORDINATOR_FORM,
    ("GET", "/requests"): EVERYONE,
    # The coordinator allows requests without an account by default.
    ("GET", "/requests/new"): EVERYONE,
    ("POST", "/requests/new"): expect(422, 422),
    ("GET", "/requests/<int:request_id>"): EVERYONE,
    ("POST", "/requests/<int:request_id>/answer"): COORDINATOR_FORM,
    ("GET", "/queue"): EVERYONE,
    ("GET", "/queue/<identifier>/override"): COORDINATOR_PAGE,
    ("POST", "/queue/<identifier>/override"): COORDINATOR_FORM,
    # Committee members not of the dataset's department assess it.
    ("GET", "/datasets/<identifier>/assessment"): expect(302, 403, committee=200),
    ("POST", "/datasets/<identifier>/assessment"): expect(302, 403, committee=422),
    ("GET", "/admin/program"): COORDINATOR_PAGE,
    ("POST", "/admin/program"): COORDINATOR_FORM,
    ("GET", "/admin/themes"): COORDINATOR_PAGE,
    ("POST", "/admin/themes"): COORDINATOR_FORM,
    ("POST", "/admin/themes/<int:theme_id>/remove"): COORDINATOR_ACTION,
    ("GET", "/admin/priorities/new"): COORDINATOR_PAGE,
    ("POST", "/admin/priorities/new"): COORDINATOR_FORM,
    ("GET", "/admin/priorities/<int:priority_id>"): COORDINATOR_PAGE,
    ("POST", "/admin/priorities/<int:priority_id>"): COORDINATOR_FORM,
    ("GET", "/api/v1/rounds"): EVERYONE,
    ("POST", "/api/v1/rounds"): expect(401, 403, coordinator=400),
    ("GET", "/api/v1/rounds/<int:round_id>"): EVERYONE,
    ("POST", "/api/v1/rounds/<int:round_id>/close"): expect(401, 403, coordinator=200),
    ("PUT", "/api/v1/rounds/<int:round_id>/votes/<candidate>"): expect(401, 403, stakeholder=400),
    ("GET", "/api/v1/requests"): EVERYONE,
    ("POST", "/api/v1/requests"): expect(400, 400),
    ("GET", "/api/v1/requests/<int:request_id>"): EVERYONE,
    ("POST", "/api/v1/requests/<int:request_id>/answer"): expect(401, 403, coordinator=400),
    ("GET", "/api/v1/priorities"): EVERYONE,
    # The public face: catalog, inventory, feeds, the dashboard and its figures.
    ("GET", "/catalog"): EVERYONE,
    # The world's dataset is a draft: not in the public catalog, for anyone.
    ("GET", "/catalog/<identifier>"): expect(404, 404),
    ("GET", "/inventory"): EVERYONE,
    ("GET", "/feeds/released.atom"): EVERYONE,
    ("GET", "/robots.txt"): EVERYONE,
    ("GET", "/sitemap.xml"): EVERYONE,
    ("GET", "/sitemaps/<int:number>.xml"): EVERYONE,
    ("GET", "/feeds/departments/<code>.atom"): EVERYONE,
    ("GET", "/dashboard"): EVERYONE,
    ("GET", "/stats/<name>.csv"): EVERYONE,
    ("GET", "/api/v1/stats"): EVERYONE,
    ("GET", "/api/v1/stats/<name>"): EVERYONE,
    ("GET", "/report"): EVERYONE,
    ("GET", "/report.<any(xlsx, csv):extension>"): EVERYONE,
    ("GET", "/committee/meetings"): EVERYONE,
    ("GET", "/committee/meetings/<int:meeting_id>"): EVERYONE,
    ("GET", "/committee/meetings/new"): COORDINATOR_PAGE,
    ("POST", "/committee/meetings/new"): COORDINATOR_FORM,
    ("GET", "/committee/meetings/<int:meeting_id>/edit"): COORDINATOR_PAGE,
    ("POST", "/committee/meetings/<int:meeting_id>/edit"): COORDINATOR_FORM,
    # The world's dataset is a draft: nothing can be late yet.
    ("GET", "/datasets/<identifier>/delay"): DATASET_EDITOR_PAGE,
    ("POST", "/datasets/<identifier>/delay"): expect(302, 403, coordinator=409),
    ("GET", "/api/v1/audit/head"): EVERYONE,
    ("GET", "/api/v1/exports/inventory.<any(xlsx, csv):extension>"): EVERYONE,
    ("GET", "/api/v1/exports/data.json"): EVERYONE,
    ("GET", "/api"): EVERYONE,
    ("GET", "/api/v1/openapi.json"): EVERYONE,
    ("GET", "/api/v1/datasets"): EVERYONE,
    # Requests carry no JSON body: a permitted write answers 400 (the body is missing).
    ("POST", "/api/v1/datasets"): expect(401, 403, coordinator=400, steward=400),
    ("GET", "/api/v1/datasets/<identifier>"): DATASET_PAGE,
    ("PATCH", "/api/v1/datasets/<identifier>"): expect(401, 403, coordinator=400),
    ("GET", "/api/v1/datasets/<identifier>/history"): DATASET_PAGE,
    # The world's dataset is a draft: readers get past the lookup, then the body is missing.
    ("POST", "/api/v1/datasets/<identifier>/transitions"): expect(401, 400),
    ("POST", "/api/v1/datasets/<identifier>/votes"): expect(401, 403, committee=409),
    ("GET", "/api/v1/datasets/<identifier>/review"): expect(
        401, 403, coordinator=200, committee=200, auditor=200
    ),
    ("GET", "/api/v1/datasets/<identifier>/decisions"): expect(401, 200),
    ("GET", "/api/v1/me"): API_SIGNED_IN,
    ("GET", "/api/v1/departments"): EVERYONE,
    ("GET", "/api/v1/audit"): API_AUDIT,
    # Measures: the world's is of another department than any steward's.
    ("GET", "/performance"): EVERYONE,
    ("GET", "/performance.csv"): EVERYONE,
    ("GET", "/performance/measures/<int:measure_id>"): EVERYONE,
    ("GET", "/performance/measures/new"): REGISTER_PAGE,
    ("POST", "/performance/measures/new"): REGISTER_FORM,
    ("GET", "/performance/measures/<int:measure_id>/edit"): COORDINATOR_PAGE,
    ("POST", "/performance/measures/<int:measure_id>/edit"): COORDINATOR_FORM,
    ("POST", "/performance/measures/<int:measure_id>/values"): COORDINATOR_FORM,
    ("POST", "/performance/measures/<int:measure_id>/values/file"): COORDINATOR_ACTION,
    ("GET", "/performance/stock-takes"): expect(
        302, 403, steward=200, coordinator=200, auditor=200
    ),
    ("GET", "/performance/stock-takes/<code>/<month>"): AUDIT_PAGE,
    ("POST", "/performance/stock-takes/<code>/<month>"): COORDINATOR_FORM,
    ("GET", "/api/v1/measures"): EVERYONE,
    ("POST", "/api/v1/measures"): expect(401, 403, coordinator=400, steward=400),
    ("GET", "/api/v1/measures/<int:measure_id>"): EVERYONE,
    ("PATCH", "/api/v1/measures/<int:measure_id>"): expect(401, 403, coordinator=400),
    ("GET", "/api/v1/measures/<int:measure_id>/values"): EVERYONE,
    ("POST", "/api/v1/measures/<int:measure_id>/values"): expect(401, 403, coordinator=400),
}

IGNORED_ENDPOINTS = {"static", "bootstrap.static"}


def test_every_route_is_in_the_table(app):
    served = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in IGNORED_ENDPOINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served - set(ROUTES) == set(), "add these routes to ROUTES"
    assert set(ROUTES) - served == set(), "these routes in ROUTES no longer exist"


@pytest.fixture
def world(make):
    """Records for the URL parameters to name: a department, another user with a token, and an
    internal draft dataset of that department."""
    department = make.department(code="RT")
    target = make.user("stakeholder", email="target@city.example")
    token = make.token(target)
    dataset = make.dataset(department=department.code, classification="internal")
    voting_round = make.voting_round()
    request = make.data_request()
    priority = make.city_priority()
    meeting = save_meeting(
        {"held_on": "2026-01-05", "attendees": "The committee"}, actor=make.user("coordinator")
    )
    run = start_verification(make.user("auditor"))
    measure = make.measure(department.code)
    db.session.commit()
    return {
        "<code>": department.code,
        "<any(csv, jsonl):extension>": "csv",
        "<int:run_id>": str(run.id),
        "<int:user_id>": str(target.id),
        "<int:token_id>": str(token.id),
        "<identifier>": dataset.identifier,
        "<action>": "submit",
        "<int:review_round>": "1",
        "<int:upload_id>": "1",
        "<int:job_id>": "1",
        "<any(xlsx, csv):extension>": "xlsx",
        "<int:round_id>": str(voting_round.id),
        "<int:request_id>": str(request.id),
        "<int:priority_id>": str(priority.id),
        "<int:theme_id>": str(db.session.scalar(select(Theme.id).where(Theme.name == "Community"))),
        "<candidate>": dataset.identifier,
        "<name>": "inventory",
        "<int:meeting_id>": str(meeting.id),
        "<int:number>": "1",
        "<token>": "not-an-invitation",
        "<int:source_id>": "1",
        "<int:entry_id>": "1",
        "<int:measure_id>": str(measure.id),
        "<month>": "2026-01",
    }


def fill(rule, world):
    for placeholder, value in world.items():
        rule = rule.replace(placeholder, value)
    return rule


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "rule"), sorted(ROUTES))
def test_route_answers_each_role_as_the_table_says(client, make, world, method, rule, role):
    if role != "anonymous":
        user = make.user(role)
        with client.session_transaction() as session:
            session["_user_id"] = factories.browser_session(user)
            session["_fresh"] = True
    response = client.open(fill(rule, world), method=method)
    db.session.rollback()
    assert response.status_code == ROUTES[(method, rule)][role]
