"""Hostile input from an outside probe: every one is a clear 4xx that changes nothing, never a
5xx, on SQLite and PostgreSQL alike."""

import json

import pytest
from sqlalchemy import func, select

from registry.datasets.models import Dataset
from registry.extensions import db
from tests import factories

HUGE = "99999999999999999999"


@pytest.fixture
def world(make):
    make.department(code="PW")
    coordinator = make.user("coordinator")
    token = make.token(coordinator)
    dataset = make.dataset(department="PW", title="Street Trees")
    return {"token": token.secret, "identifier": dataset.identifier, "coordinator": coordinator}


def call(client, world, method, path, **kwargs):
    """As the coordinator: by token for the API, by a signed-in session for the pages."""
    headers = kwargs.pop("headers", {})
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {world['token']}", **headers}
    else:
        with client.session_transaction() as session:
            session["_user_id"] = factories.browser_session(world["coordinator"])
    path = path.replace("<id>", world["identifier"])
    return client.open(path, method=method, headers=headers, **kwargs)


GETS = [
    f"/datasets?page={HUGE}",
    f"/api/v1/datasets?page={HUGE}",
    f"/api/v1/audit?page={HUGE}",
    f"/audit?page={HUGE}",
    f"/inbox?page={HUGE}",
    f"/admin/users?page={HUGE}",
    f"/api/v1/datasets?per_page={HUGE}",
    "/audit?until=9999-12-31",
    "/api/v1/audit?until=9999-12-31",
    "/audit?since=0001-01-01",
    "/datasets/pw-%00abc",
    "/api/v1/datasets/pw-%00abc",
    "/datasets?q=trees%00",
    "/api/v1/datasets?department=P%00W",
    "/audit?actor=a%00b",
]


@pytest.mark.parametrize("path", GETS)
def test_hostile_query_is_a_4xx(client, world, path):
    assert 400 <= call(client, world, "GET", path).status_code < 500


@pytest.mark.parametrize("if_match", ['""', 'W/""', "*", '"abc"', "garbage"])
def test_a_strange_if_match_is_a_4xx(client, world, if_match):
    response = call(
        client, world, "PATCH", "/api/v1/datasets/<id>", json={}, headers={"If-Match": if_match}
    )
    assert 400 <= response.status_code < 500


BODIES = [
    {"record_count": 2**70},
    {"record_count": -1},
    {"title": "Trees\x00"},
    {"keywords": ["k"] * 500},
    {"themes": ["Not a theme in the vocabulary"]},
    {"language": ["en-US"] * 100},
    {"distributions": [{"access_url": "https://x.example/a"}] * 200},
    {"title": "x" * 100_000},
]


@pytest.mark.parametrize("body", BODIES, ids=[str(i) for i in range(len(BODIES))])
def test_hostile_json_is_a_422_that_changes_nothing(client, world, body):
    response = call(client, world, "PATCH", "/api/v1/datasets/<id>", json={**body, "version": 1})
    title = db.session.scalar(
        select(Dataset.title).where(Dataset.identifier == world["identifier"])
    )
    assert (response.status_code, title) == (422, "Street Trees")


def test_a_lone_surrogate_in_json_is_a_422(client, world):
    raw = '{"title": "Trees \\ud800", "version": 1}'
    response = call(
        client,
        world,
        "PATCH",
        "/api/v1/datasets/<id>",
        data=raw,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422 and "title" in response.get_json()["errors"]


def test_a_deeply_nested_body_is_a_400(client, world):
    raw = "[" * 50_000 + "]" * 50_000
    response = call(
        client,
        world,
        "POST",
        "/api/v1/datasets",
        data=raw,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_a_body_over_the_limit_is_a_413(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    response = call(
        client, world, "POST", "/api/v1/datasets", json={"title": "x" * 5000, "department": "PW"}
    )
    assert response.status_code == 413


def test_a_nul_in_the_sign_in_email_is_a_4xx(client):
    response = client.post("/sign-in", data={"email": "a\x00b@city.example", "password": "x"})
    assert 400 <= response.status_code < 500


def test_bidirectional_overrides_and_control_characters_leave_titles(client, world):
    response = call(
        client,
        world,
        "POST",
        "/api/v1/datasets",
        json={
            "title": "Tree\u202e Inventory\x07",
            "department": "PW",
            "classification": "public",
            "description": "Line one\nLine two\x1b",
        },
    )
    body = response.get_json()
    assert (body["title"], body["description"]) == ("Tree Inventory", "Line one\nLine two")


def test_nothing_was_created_by_any_refused_body(client, world):
    before = db.session.scalar(select(func.count()).select_from(Dataset))
    call(
        client,
        world,
        "POST",
        "/api/v1/datasets",
        data=json.dumps({"title": "A\x00", "department": "PW", "classification": "public"}),
        headers={"Content-Type": "application/json"},
    )
    assert db.session.scalar(select(func.count()).select_from(Dataset)) == before
