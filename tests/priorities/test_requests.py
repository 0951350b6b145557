"""Data requests: who may ask, what the public sees of them (never who asked), the coordinator's
answers and the requester told of each, and the policy's clocks."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.datasets.models import Dataset
from registry.db import utcnow
from registry.extensions import db
from registry.notifications.models import Notification, OutboundEmail
from registry.priorities import program, requests
from tests import factories

ASK = {"title": "Street light outages", "description": "Outages reported and fixed, by street."}


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {factories.token(user).secret}"}


def answer(client, item, coordinator, **body):
    return client.post(f"/api/v1/requests/{item.id}/answer", json=body, headers=bearer(coordinator))


def subjects(user) -> list[str]:
    return db.session.scalars(
        select(Notification.subject).where(Notification.user_id == user.id)
    ).all()


def test_a_stakeholder_asks_and_the_coordinators_are_told(client, make):
    coordinator = make.user("coordinator")
    response = client.post("/api/v1/requests", json=ASK, headers=bearer(make.user("stakeholder")))
    assert (response.status_code, response.json["status"]) == (201, "received")
    assert subjects(coordinator) == ["Data request: Street light outages"]


def test_anyone_may_ask_with_an_email_address_that_is_never_shown(client):
    made = client.post("/api/v1/requests", json={**ASK, "email": "Resident@Mail.example"})
    shown = client.get(f"/api/v1/requests/{made.json['id']}")
    page = client.get(f"/requests/{made.json['id']}").get_data(as_text=True)
    assert made.status_code == 201
    assert "resident@mail.example" not in (str(shown.json) + page).lower()


def test_without_an_account_the_email_address_is_needed(client):
    response = client.post("/api/v1/requests", json=ASK)
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["email"]


def test_the_coordinator_may_take_requests_from_accounts_only(client, make):
    program.update_program_settings(
        {"acknowledge_days": 14, "answer_days": 60, "public_requests": False},
        actor=make.user("coordinator"),
    )
    db.session.commit()
    response = client.post("/api/v1/requests", json={**ASK, "email": "someone@mail.example"})
    assert response.status_code == 403


def test_a_flood_from_one_address_is_slowed(client):
    statuses = [
        client.post("/api/v1/requests", json={**ASK, "email": f"r{n}@mail.example"}).status_code
        for n in range(requests.PUBLIC_REQUESTS_PER_HOUR + 1)
    ]
    assert statuses == [201] * requests.PUBLIC_REQUESTS_PER_HOUR + [429]


def test_acknowledging_tells_the_requester(client, make):
    asker = make.user("stakeholder")
    item = make.data_request(actor=asker)
    response = answer(client, item, make.user("coordinator"), action="acknowledge")
    assert (response.json["status"], response.json["acknowledged_at"] is not None) == (
        "acknowledged",
        True,
    )
    assert "Your data request: acknowledged" in subjects(asker)


def test_a_requester_without_an_account_is_told_by_email(client, make, app):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    try:
        made = client.post("/api/v1/requests", json={**ASK, "email": "resident@mail.example"})
        answer(
            client,
            requests.get_request(made.json["id"]),
            make.user("coordinator"),
            action="acknowledge",
        )
    finally:
        app.config["MAIL_SERVER"] = None
    sent = db.session.scalars(select(OutboundEmail.to_address)).all()
    assert sent == ["resident@mail.example"]


def test_declining_needs_a_reason(client, make):
    response = answer(client, make.data_request(), make.user("coordinator"), action="decline")
    assert (response.status_code, list(response.json["errors"])) == (422, ["note"])


def test_a_draft_for_the_right_department_is_registered_and_its_stewards_told(client, make):
    department = make.department(code="WTR")
    steward = make.user("steward", departments=["WTR"])
    item = make.data_request(title="Lead service lines")
    response = answer(
        client, item, make.user("coordinator"), action="create_draft", department="wtr"
    )
    record = db.session.scalar(select(Dataset).where(Dataset.department_id == department.id))
    assert (response.json["status"], record.status, record.title) == (
        "planned",
        "draft",
        "Lead service lines",
    )
    assert "Requested data: Lead service lines" in subjects(steward)


def test_a_request_is_planned_as_an_existing_record(client, make):
    record = make.dataset()
    response = answer(
        client,
        make.data_request(),
        make.user("coordinator"),
        action="link",
        identifier=record.identifier,
    )
    assert (response.json["status"], response.json["dataset"]) == ("planned", record.identifier)


def test_the_public_is_not_told_which_unreleased_record_was_planned(client, make):
    item = make.data_request()
    answer(
        client,
        item,
        make.user("coordinator"),
        action="link",
        identifier=make.dataset().identifier,
    )
    assert client.get(f"/api/v1/requests/{item.id}").json["dataset"] is None


def test_an_answered_request_stays_answered(client, make):
    coordinator = make.user("coordinator")
    item = make.data_request()
    answer(client, item, coordinator, action="decline", note="Not held by the city.")
    response = answer(client, item, coordinator, action="acknowledge")
    assert response.status_code == 409


@pytest.mark.parametrize("role", ["stakeholder", "steward", "committee", "auditor"])
def test_only_coordinators_answer(client, make, role):
    response = answer(client, make.data_request(), make.user(role), action="acknowledge")
    assert response.status_code == 403


def aged(item, days: int, **moments):
    item.created_at = utcnow() - timedelta(days=days)
    for name, after in moments.items():
        setattr(item, name, item.created_at + timedelta(days=after))
    db.session.commit()
    return item


@pytest.mark.parametrize(
    ("days", "moments", "expected"),
    [
        # (days since asked, when it was acknowledged/answered), the policy's 14 and 60 days
        (13, {}, (False, False, False)),
        (15, {}, (True, False, False)),
        (15, {"acknowledged_at": 2}, (False, False, False)),
        (61, {"acknowledged_at": 2}, (False, True, False)),
        (61, {"acknowledged_at": 2, "answered_at": 59}, (False, False, True)),
        (90, {"acknowledged_at": 2, "answered_at": 75}, (False, False, False)),
    ],
)
def test_the_policy_clocks(make, days, moments, expected):
    clocks = requests.clocks(aged(make.data_request(), days, **moments))
    assert (
        clocks["acknowledgement_overdue"],
        clocks["answer_overdue"],
        clocks["answered_in_time"],
    ) == expected


def test_overdue_requests_are_the_ones_past_a_clock(make):
    late = aged(make.data_request(), 15)
    aged(make.data_request(), 3)
    aged(make.data_request(), 90, acknowledged_at=1, answered_at=10)
    assert db.session.scalars(requests.overdue_query()).all() == [late]


def test_the_open_requests_are_either_overdue_or_to_answer_by_the_clocks_one_rule(make):
    """The coordinator's two lists split the requests not yet answered by the same clocks the
    request's own page shows, at each deadline's edges."""
    from registry.priorities.work import request_list

    ages = [
        (3, {}),
        (13, {}),
        (15, {}),
        (15, {"acknowledged_at": 2}),
        (59, {"acknowledged_at": 2}),
        (61, {"acknowledged_at": 2}),
        (61, {"acknowledged_at": 20}),
        (90, {}),
    ]
    made = [
        aged(make.data_request(title=f"Asked {n}"), days, **moments)
        for n, (days, moments) in enumerate(ages)
    ]
    answered = aged(make.data_request(title="Answered"), 90, acknowledged_at=1, answered_at=10)
    answered.status = "answered"
    db.session.commit()
    coordinator = make.user("coordinator")
    lists = {
        key: {request.title for request in request_list(coordinator, key)}
        for key in ("overdue_requests", "requests_to_answer")
    }
    late = {
        request.title
        for request in made
        if requests.clocks(request)["acknowledgement_overdue"]
        or requests.clocks(request)["answer_overdue"]
    }
    assert lists == {
        "overdue_requests": late,
        "requests_to_answer": {request.title for request in made} - late,
    }
    assert late == {"Asked 2", "Asked 5", "Asked 6", "Asked 7"}


def test_the_coordinators_work_page_flags_overdue_requests(client, make, sign_in):
    aged(make.data_request(title="Noise complaints"), 20)
    sign_in(make.user("coordinator"))
    page = client.get("/work").get_data(as_text=True)
    assert "Data requests past their deadline" in page and "Noise complaints" in page


def test_the_board_lists_requests_with_their_status(client, make):
    make.data_request(title="Bike counts")
    page = client.get("/requests").get_data(as_text=True)
    assert "Bike counts" in page and "Received" in page


def test_a_slowed_flood_is_told_when_to_come_back(client):
    for n in range(requests.PUBLIC_REQUESTS_PER_HOUR):
        client.post("/api/v1/requests", json={**ASK, "email": f"r{n}@mail.example"})
    refused = client.post("/api/v1/requests", json={**ASK, "email": "late@mail.example"})
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "3600")


def test_the_api_gives_requests_a_page_at_a_time_with_the_total(client, make):
    for number in range(5):
        make.data_request(title=f"Counts {number}")
    first = client.get("/api/v1/requests?per_page=2").json
    assert (first["total"], first["page"], first["per_page"]) == (5, 1, 2)
    assert [item["title"] for item in first["items"]] == ["Counts 4", "Counts 3"]
    last = client.get("/api/v1/requests?per_page=2&page=3").json
    assert [item["title"] for item in last["items"]] == ["Counts 0"]
    past = client.get("/api/v1/requests?per_page=2&page=9").json
    assert (past["items"], past["total"]) == ([], 5)
    refused = client.get("/api/v1/requests?per_page=101")
    assert refused.status_code == 422 and "per_page" in refused.json["errors"]


def test_the_requests_to_answer_are_read_off_the_index_within_the_answers_days(make):
    """The list's count and its page's ids read the requests made within the answer's days off
    the index of requests by status and creation, and join nothing; only the page's 25
    requests are read with what they show."""
    from registry.priorities.work import request_list
    from tests.datasets.test_query_plans import plan, statements_sent

    for number in range(3):
        make.data_request(title=f"Asked {number}")
    coordinator = make.user("coordinator")
    shown, sent = statements_sent(lambda: request_list(coordinator, "requests_to_answer"))
    asked = [(sql, params) for sql, params in sent if "data_requests.created_at >=" in sql]
    assert len(asked) == 2 and len(shown) == 3, sent  # the count and the page's ids
    for sql, params in asked:
        assert "JOIN" not in sql.upper(), sql
        if db.session.get_bind().dialect.name == "sqlite":
            text = plan(sql, params)
            assert "ix_data_requests_status_created_at_id" in text and "created_at>" in text, text
