"""Web plumbing: refusals roll back what a request flushed, and a write that cannot get its lock
in time is a clean 503 that saves nothing."""

import sqlite3

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from registry.datasets.models import Dataset
from registry.extensions import db
from tests import factories


def test_a_step_that_loses_a_race_in_the_pages_renders_a_409_page(client, make, monkeypatch):
    """The record changes under the step between its read and its write (as when another
    chair decides first on PostgreSQL): the flush fails, and the error page, whose header
    counts the inbox, still renders."""
    coordinator = make.user("coordinator")
    steward = make.user("steward")
    dataset = make.dataset(actor=steward, department=steward.department_codes[0], **make.COMPLETE)
    from registry.reviews import services

    def someone_else_saves_first(record):
        db.session.execute(
            text("UPDATE datasets SET version = version + 1 WHERE id = :id"), {"id": record.id}
        )

    monkeypatch.setattr(services, "lock_for_update", someone_else_saves_first)
    with client.session_transaction() as session:
        session["_user_id"] = factories.browser_session(coordinator)

    response = client.post(f"/datasets/{dataset.identifier}/actions/submit", data={})

    assert response.status_code == 409 and b"changed by someone else" in response.data


@pytest.fixture
def held_lock(database_url):
    """Holds the lock a write of the given dataset needs, from a connection of its own, until
    the function it returns releases it."""
    holders = []

    def _hold(app, dataset_id: int):
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        if url.get_backend_name() == "sqlite":
            connection = sqlite3.connect(url.database, isolation_level=None)
            connection.execute("BEGIN IMMEDIATE")
            holders.append(connection.close)
            return connection.close
        else:
            engine = create_engine(url)
            connection = engine.connect()
            connection.begin()
            connection.execute(
                text("SELECT id FROM datasets WHERE id = :id FOR UPDATE"), {"id": dataset_id}
            )
            holders.append(lambda: (connection.close(), engine.dispose()))
        return holders[-1]

    yield _hold
    for release in holders:
        release()  # closing twice is harmless


@pytest.mark.own_database
def test_a_write_that_cannot_get_its_lock_answers_503_and_saves_nothing(scratch_app, held_lock):
    app = scratch_app(LOCK_TIMEOUT_SECONDS=0.3)
    with app.app_context():
        token = factories.token(factories.user("coordinator"))
        dataset = factories.dataset(title="Before")
        identifier, dataset_id = dataset.identifier, dataset.id
    release = held_lock(app, dataset_id)

    response = app.test_client().patch(
        f"/api/v1/datasets/{identifier}",
        json={"title": "After"},
        headers={"Authorization": f"Bearer {token.secret}", "If-Match": '"1"'},
    )
    release()

    with app.app_context():
        title = db.session.scalar(select(Dataset.title).where(Dataset.id == dataset_id))
    assert (response.status_code, response.headers.get("Retry-After"), title) == (
        503,
        "2",
        "Before",
    )
    assert "try again" in response.get_json()["message"]


def test_the_city_name_is_in_the_header_and_the_page_title(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "CITY_NAME", "City of Riverton")
    html = client.get("/catalog").get_data(as_text=True)
    assert "<title>Open data catalog · City of Riverton Data Registry</title>" in html
    assert "City of Riverton <small>Data Registry</small>" in html


def test_every_page_has_a_favicon_that_is_served(client):
    html = client.get("/").get_data(as_text=True)
    href = html.split('<link rel="icon" href="')[1].split('"')[0]
    assert client.get(href).status_code == 200


def test_the_api_page_renders_its_markdown(client):
    html = client.get("/api").get_data(as_text=True)
    assert "<code>Authorization: Bearer &lt;token&gt;</code>" in html


def test_the_api_page_lists_each_operation_once_with_whether_it_needs_a_token(client):
    html = client.get("/api").get_data(as_text=True)
    rows = {
        row.split('class="mono">')[1].split("<")[0]
        + " "
        + row.split('badge text-bg-secondary">')[1].split("<")[0]: row
        for row in (part.split("</tr>")[0] for part in html.split("<tr>")[2:])
    }
    assert "PARAMETERS" not in html
    assert rows["/api/v1/datasets GET"].endswith("<td>Optional</td>")
    assert rows["/api/v1/datasets POST"].endswith("<td>Required</td>")
    assert rows["/api/v1/exports/data.json GET"].endswith("<td>Optional</td>")


def test_a_disabled_previous_link_is_not_a_link(client, make, sign_in):
    person = sign_in(make.user("stakeholder"))
    from registry.notifications.services import notify

    for number in range(30):
        notify([person], f"Notice {number}", "Body.")
    db.session.commit()
    html = client.get("/inbox").get_data(as_text=True)
    assert "page=0" not in html and '<span class="page-link">Previous</span>' in html


@pytest.mark.own_database
def test_a_page_whose_write_cannot_get_its_lock_answers_a_503_page(scratch_app, held_lock):
    app = scratch_app(LOCK_TIMEOUT_SECONDS=0.3)
    with app.app_context():
        user = factories.user("coordinator")
        dataset = factories.dataset()
        key, identifier = factories.browser_session(user), dataset.identifier
        dataset_id = dataset.id
    release = held_lock(app, dataset_id)
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = key

    response = client.post(f"/datasets/{identifier}/edit", data={"title": "After", "version": 1})
    release()

    assert response.status_code == 503 and "try again" in response.get_data(as_text=True)


SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")


def _every_get_route(app, world: dict) -> list[str]:
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and "<" not in rule.rule:
            paths.append(rule.rule)
    return [*paths, f"/datasets/{world['identifier']}", "/no-such-page"]


@pytest.fixture
def headers_world(make):
    return {"identifier": make.dataset().identifier}


def test_every_response_carries_the_security_headers(app, client, headers_world):
    for path in _every_get_route(app, headers_world):
        response = client.get(path)
        missing = [name for name in SECURITY_HEADERS if name not in response.headers]
        assert missing == [], path
        policy = response.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy and "frame-ancestors 'none'" in policy


def test_signed_in_pages_are_never_cached_and_public_ones_may_be(app, client, make, sign_in):
    public = client.get("/datasets")
    sign_in(make.user("auditor"))
    private = client.get("/datasets")
    assert "no-store" not in public.headers.get("Cache-Control", "")
    assert private.headers["Cache-Control"] == "no-store"


def test_production_asks_browsers_for_https_only(tmp_path):
    from registry import create_app

    app = create_app(
        {
            "ENV": "production",
            "SECRET_KEY": "x" * 64,
            "BASE_URL": "https://registry.city.example",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
            # No background threads: in the suite they would share the tests' swapped session.
            "HOUSEKEEPING_THREAD": False,
            "MAIL_BACKGROUND_SENDER": False,
        }
    )
    response = app.test_client().get("/healthz")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_page_has_an_inline_script(app, client, make, sign_in, headers_world):
    sign_in(make.user("coordinator"))
    for path in _every_get_route(app, headers_world):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html and "style=" not in html, path
