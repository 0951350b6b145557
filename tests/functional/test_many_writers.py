"""Many people writing at the same moment, each request on its own thread and connection, against
a database file (SQLite) or a fresh PostgreSQL database: nobody gets a 5xx, and the races that
must have one winner have exactly one."""

import io
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from tests import factories

pytestmark = pytest.mark.own_database

RACERS = 8


def race(app, count: int, request) -> list:
    """Runs request(number, client) on `count` threads lined up by a barrier; each has its own
    test client, so its own app context, session and database connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(number: int) -> None:
        client = app.test_client()
        barrier.wait()
        try:
            results[number] = request(number, client)
        except Exception as exc:  # a crash in the app would otherwise vanish with the thread
            results[number] = repr(exc)

    threads = [threading.Thread(target=run, args=(number,)) for number in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def bearer(token) -> dict:
    return {"Authorization": f"Bearer {token.secret}"}


def test_simultaneous_sign_ins_all_succeed(scratch_app):
    app = scratch_app()
    with app.app_context():
        emails = [factories.user("stakeholder").email for _ in range(RACERS)]

    statuses = race(
        app,
        RACERS,
        lambda n, client: (
            client.post(
                "/sign-in", data={"email": emails[n], "password": factories.PASSWORD}
            ).status_code
        ),
    )

    assert statuses == [302] * RACERS


def test_simultaneous_edits_of_different_datasets_all_succeed(scratch_app):
    app = scratch_app()
    with app.app_context():
        token = factories.token(factories.user("coordinator"))
        identifiers = [factories.dataset().identifier for _ in range(RACERS)]

    statuses = race(
        app,
        RACERS,
        lambda n, client: (
            client.patch(
                f"/api/v1/datasets/{identifiers[n]}",
                json={"record_count": 1000 + n},
                headers={**bearer(token), "If-Match": '"1"'},
            ).status_code
        ),
    )

    assert statuses == [200] * RACERS


def test_simultaneous_edits_of_one_dataset_from_one_version_have_one_winner(scratch_app):
    app = scratch_app()
    with app.app_context():
        tokens = [factories.token(factories.user("coordinator")) for _ in range(RACERS)]
        identifier = factories.dataset().identifier

    statuses = race(
        app,
        RACERS,
        lambda n, client: (
            client.patch(
                f"/api/v1/datasets/{identifier}",
                json={"title": f"Edited by racer {n}"},
                headers={**bearer(tokens[n]), "If-Match": '"1"'},
            ).status_code
        ),
    )

    assert Counter(statuses) == {200: 1, 409: RACERS - 1}


def test_simultaneous_votes_give_one_decision_and_no_server_error(scratch_app):
    from registry.reviews.models import Decision

    app = scratch_app()
    with app.app_context():
        tokens = [factories.token(factories.user("committee")) for _ in range(RACERS)]
        identifier = factories.in_committee().identifier

    statuses = race(
        app,
        RACERS,
        lambda n, client: (
            client.post(
                f"/api/v1/datasets/{identifier}/votes",
                json={"vote": "approve", "rationale": "Fits the policy."},
                headers=bearer(tokens[n]),
            ).status_code
        ),
    )

    with app.app_context():
        decisions = db.session.scalar(select(func.count()).select_from(Decision))
    # Quorum is a majority of the eight members: five votes count, the rest find it decided.
    assert (decisions, Counter(statuses)) == (1, {200: 5, 409: 3})


@pytest.fixture
def chairs_and_records(scratch_app):
    """Three chairs and ten records before the committee, each with one vote cast."""
    app = scratch_app()
    with app.app_context():
        chairs = [factories.user("committee", chair=True) for _ in range(3)]
        records = [factories.in_committee().identifier for _ in range(10)]
        tokens = [factories.token(chair) for chair in chairs]
        sessions = [factories.browser_session(chair) for chair in chairs]
    return app, records, tokens, sessions


DECIDE = {
    "action": "decide",
    "outcome": "approve",
    "note": "Approved at the meeting.",
    "minutes_reference": "Minutes 2026-11-20, item 3",
}


def test_simultaneous_chair_decisions_through_the_api_have_one_winner(chairs_and_records):
    from registry.reviews.models import Decision

    app, records, tokens, _ = chairs_and_records
    statuses = []
    for identifier in records:
        statuses += race(
            app,
            3,
            lambda n, client, identifier=identifier: (
                client.post(
                    f"/api/v1/datasets/{identifier}/transitions",
                    json=DECIDE,
                    headers=bearer(tokens[n]),
                ).status_code
            ),
        )

    with app.app_context():
        decisions = db.session.scalar(select(func.count()).select_from(Decision))
    assert (decisions, Counter(statuses)) == (10, {200: 10, 409: 20})


def test_a_step_that_loses_a_race_in_the_pages_answers_409(chairs_and_records):
    app, records, _, sessions = chairs_and_records

    def decide(n, client, identifier):
        with client.session_transaction() as session:
            session["_user_id"] = sessions[n]
        return client.post(f"/datasets/{identifier}/actions/decide", data=DECIDE).status_code

    statuses = []
    for identifier in records[:4]:
        statuses += race(
            app, 3, lambda n, client, identifier=identifier: decide(n, client, identifier)
        )

    assert Counter(statuses) == {302: 4, 409: 8}


def test_simultaneous_edits_of_different_fields_from_one_version_all_land(scratch_app):
    app = scratch_app()
    with app.app_context():
        tokens = [factories.token(factories.user("coordinator")) for _ in range(3)]
        identifier = factories.dataset().identifier
    edits = [{"title": "Racer's title"}, {"description": "Racer's words."}, {"spatial": "Ward 3"}]

    statuses = race(
        app,
        3,
        lambda n, client: (
            client.patch(
                f"/api/v1/datasets/{identifier}",
                json=edits[n],
                headers={**bearer(tokens[n]), "If-Match": '"1"'},
            ).status_code
        ),
    )

    with app.app_context():
        record = app.test_client().get(f"/api/v1/datasets/{identifier}", headers=bearer(tokens[0]))
        body = record.get_json()
    assert (statuses, body["title"], body["description"], body["spatial"], body["version"]) == (
        [200, 200, 200],
        "Racer's title",
        "Racer's words.",
        "Ward 3",
        4,
    )


def hostile_workbook(rows: int) -> bytes:
    """Many one-cell rows and no stated dimension (openpyxl's write-only mode leaves it out)."""
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Inventory")
    sheet.append(["Title"])
    for _ in range(rows):
        sheet.append(["x"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def signed_in_client(app, user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = factories.browser_session(user)
    return client


def test_a_file_being_parsed_holds_nobody_up(scratch_app, monkeypatch):
    """The upload is parked in the middle of reading its file; an edit and a sign-in by
    others go through meanwhile (on SQLite they would wait for the write lock otherwise)."""
    from registry.transfer import import_views as views

    app = scratch_app()
    with app.app_context():
        coordinator = factories.user("coordinator")
        token = factories.token(factories.user("coordinator"))
        identifier = factories.dataset().identifier
        email = factories.user("stakeholder").email
        uploader = signed_in_client(app, coordinator)
    parked, release = threading.Event(), threading.Event()
    real = views.read_table

    def parse_slowly(name, data, **options):
        parked.set()
        release.wait(60)
        return real(name, data, **options)

    monkeypatch.setattr(views, "read_table", parse_slowly)
    data = hostile_workbook(10)
    upload = threading.Thread(
        target=lambda: uploader.post(
            "/imports", data={"file": (io.BytesIO(data), "inventory.xlsx")}
        )
    )
    upload.start()
    assert parked.wait(30)
    try:
        edited = app.test_client().patch(
            f"/api/v1/datasets/{identifier}",
            json={"title": "Edited while a file is read"},
            headers={**bearer(token), "If-Match": '"1"'},
        )
        signed_in = app.test_client().post(
            "/sign-in", data={"email": email, "password": factories.PASSWORD}
        )
    finally:
        release.set()
        upload.join(60)
    assert (edited.status_code, signed_in.status_code) == (200, 302)


def test_twenty_hostile_uploads_leave_sign_ins_and_edits_answering(scratch_app):
    app = scratch_app(IMPORT_MAX_ROWS=500, IMPORT_MAX_BLANK_ROWS=100)
    with app.app_context():
        uploaders = [signed_in_client(app, factories.user("coordinator")) for _ in range(20)]
        token = factories.token(factories.user("coordinator"))
        identifiers = [factories.dataset().identifier for _ in range(4)]
        emails = [factories.user("stakeholder").email for _ in range(4)]
    data = hostile_workbook(20_000)

    def act(n, client):
        if n < 20:
            return (
                uploaders[n]
                .post("/imports", data={"file": (io.BytesIO(data), "inventory.xlsx")})
                .status_code
            )
        if n < 24:
            return client.patch(
                f"/api/v1/datasets/{identifiers[n - 20]}",
                json={"spatial": "Citywide"},
                headers={**bearer(token), "If-Match": '"1"'},
            ).status_code
        return client.post(
            "/sign-in", data={"email": emails[n - 24], "password": factories.PASSWORD}
        ).status_code

    statuses = race(app, 28, act)

    assert statuses == [422] * 20 + [200] * 4 + [302] * 4
