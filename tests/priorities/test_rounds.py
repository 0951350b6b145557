"""Voting rounds: who may open and vote, the budget and the per-item most, what counts as a
candidate, tallies hidden while open and public once closed, and a round closing by itself."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.audit.models import AuditEvent
from registry.db import utcnow
from registry.extensions import db
from registry.notifications.models import Notification
from registry.priorities import rounds
from tests import factories


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {factories.token(user).secret}"}


@pytest.fixture
def stakeholder(make):
    return make.user("stakeholder")


@pytest.fixture
def open_round(make):
    return make.voting_round(budget=5, max_per_item=3)


def put(client, voting_round, candidate, votes, user):
    return client.put(
        f"/api/v1/rounds/{voting_round.id}/votes/{candidate}",
        json={"votes": votes},
        headers=bearer(user),
    )


def end(voting_round, days_ago: int = 0) -> None:
    """Time passes: the round's closing time is behind us (nobody pressed anything)."""
    voting_round.opens_at = utcnow() - timedelta(days=days_ago + 2)
    voting_round.closes_at = utcnow() - timedelta(days=days_ago, seconds=1)
    db.session.commit()


def test_a_coordinator_opens_a_round_through_the_api(client, make):
    now = utcnow()
    response = client.post(
        "/api/v1/rounds",
        json={
            "title": "Spring priorities",
            "opens_at": now.isoformat(),
            "closes_at": (now + timedelta(days=7)).isoformat(),
        },
        headers=bearer(make.user("coordinator")),
    )
    assert response.status_code == 201
    assert (response.json["budget"], response.json["max_per_item"]) == (10, 3)


@pytest.mark.parametrize("role", ["stakeholder", "steward", "committee", "auditor"])
def test_only_coordinators_open_rounds(client, make, role):
    now = utcnow().isoformat()
    response = client.post(
        "/api/v1/rounds",
        json={"title": "Mine", "opens_at": now, "closes_at": now},
        headers=bearer(make.user(role)),
    )
    assert response.status_code == 403


def test_a_round_that_closes_before_it_opens_is_refused_with_the_reason(client, make):
    now = utcnow()
    response = client.post(
        "/api/v1/rounds",
        json={
            "title": "Backwards",
            "opens_at": now.isoformat(),
            "closes_at": (now - timedelta(days=1)).isoformat(),
            "budget": 2,
            "max_per_item": 3,
        },
        headers=bearer(make.user("coordinator")),
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"closes_at", "max_per_item"}


def test_a_stakeholder_votes_and_sees_what_is_left(client, make, stakeholder, open_round):
    dataset = make.dataset(classification="internal")
    response = put(client, open_round, dataset.identifier, 2, stakeholder)
    assert response.status_code == 200
    assert (response.json["my_votes"], response.json["remaining"]) == (
        {dataset.identifier: 2},
        3,
    )


def test_votes_can_be_changed_and_taken_back(client, make, stakeholder, open_round):
    dataset = make.dataset(classification="internal")
    put(client, open_round, dataset.identifier, 3, stakeholder)
    put(client, open_round, dataset.identifier, 1, stakeholder)
    response = put(client, open_round, dataset.identifier, 0, stakeholder)
    assert (response.json["my_votes"], response.json["remaining"]) == ({}, 5)


def test_more_than_the_most_on_one_candidate_is_refused(client, make, stakeholder, open_round):
    dataset = make.dataset(classification="internal")
    response = put(client, open_round, dataset.identifier, 4, stakeholder)
    assert response.status_code == 422
    assert response.json["errors"]["votes"] == ["Give a candidate at most 3 votes."]


def test_more_than_the_budget_is_refused_and_changes_nothing(client, make, stakeholder, open_round):
    first, second = make.dataset(), make.dataset()
    put(client, open_round, first.identifier, 3, stakeholder)
    response = put(client, open_round, second.identifier, 3, stakeholder)
    assert response.status_code == 422
    assert "2 votes left" in response.json["errors"]["votes"][0]
    assert rounds.my_votes(open_round, stakeholder) == ({first.identifier: 3}, 2)


def test_open_data_requests_are_candidates(client, make, stakeholder, open_round):
    request = make.data_request()
    response = put(client, open_round, f"request-{request.id}", 2, stakeholder)
    assert response.json["my_votes"] == {f"request-{request.id}": 2}


@pytest.mark.parametrize("status", ["published", "retired"])
def test_a_released_record_is_not_a_candidate(client, make, stakeholder, open_round, status):
    dataset = make.dataset()
    dataset.status = status
    db.session.commit()
    response = put(client, open_round, dataset.identifier, 1, stakeholder)
    assert response.status_code == 409


def test_a_restricted_record_reads_exactly_like_one_that_does_not_exist(
    client, make, stakeholder, open_round
):
    restricted = make.dataset(classification="restricted")
    hidden = put(client, open_round, restricted.identifier, 1, stakeholder)
    missing = put(client, open_round, "no-such-record", 1, stakeholder)
    assert (hidden.status_code, hidden.json) == (missing.status_code, missing.json)
    assert hidden.status_code == 409


@pytest.mark.parametrize(("opens", "closes"), [(2, 24), (-48, -1)])
def test_no_votes_outside_the_open_round(client, make, stakeholder, opens, closes):
    voting_round = make.voting_round(opens_in_hours=opens, closes_in_hours=closes)
    response = put(client, voting_round, make.dataset().identifier, 1, stakeholder)
    assert response.status_code == 409


@pytest.mark.parametrize("role", ["committee", "steward", "coordinator", "auditor"])
def test_only_stakeholders_vote(client, make, open_round, role):
    response = put(client, open_round, make.dataset().identifier, 1, make.user(role))
    assert response.status_code == 403


def test_tallies_are_hidden_while_the_round_is_open(client, make, stakeholder, open_round):
    put(client, open_round, make.dataset().identifier, 2, stakeholder)
    body = client.get(f"/api/v1/rounds/{open_round.id}").json
    assert (body["state"], body["tallies"], body["my_votes"]) == ("open", None, None)


def test_another_stakeholder_sees_only_their_own_votes(client, make, stakeholder, open_round):
    put(client, open_round, make.dataset().identifier, 2, stakeholder)
    body = client.get(
        f"/api/v1/rounds/{open_round.id}", headers=bearer(make.user("stakeholder"))
    ).json
    assert (body["tallies"], body["my_votes"], body["remaining"]) == (None, {}, 5)


def test_a_round_closes_by_itself_and_its_tallies_are_public(client, make, stakeholder, open_round):
    first, second = make.dataset(title="Tree canopy"), make.dataset(title="Bus stops")
    put(client, open_round, first.identifier, 3, stakeholder)
    put(client, open_round, second.identifier, 1, make.user("stakeholder"))
    end(open_round)
    body = client.get(f"/api/v1/rounds/{open_round.id}").json
    assert body["state"] == "closed"
    assert body["tallies"] == [
        {"candidate": first.identifier, "title": "Tree canopy", "votes": 3, "share": 0.75},
        {"candidate": second.identifier, "title": "Bus stops", "votes": 1, "share": 0.25},
    ]


def test_a_record_restricted_after_the_round_is_counted_but_not_named(
    client, make, stakeholder, open_round
):
    dataset = make.dataset(title="Shelter locations", classification="internal")
    put(client, open_round, dataset.identifier, 2, stakeholder)
    end(open_round)
    dataset.classification = "restricted"
    db.session.commit()
    tally = client.get(f"/api/v1/rounds/{open_round.id}").json["tallies"]
    assert tally == [
        {
            "candidate": "restricted",
            "title": "A dataset since classified restricted",
            "votes": 2,
            "share": 1.0,
        }
    ]


def test_a_coordinator_may_close_a_round_early(client, make, open_round):
    response = client.post(
        f"/api/v1/rounds/{open_round.id}/close", headers=bearer(make.user("coordinator"))
    )
    assert (response.status_code, response.json["state"]) == (200, "closed")


def test_stakeholders_are_told_once_when_a_round_opens_and_once_when_results_are_out(make):
    members = [make.user("stakeholder"), make.user("stakeholder")]
    voting_round = make.voting_round(opens_in_hours=-1)  # announced as it is created
    end(voting_round)
    rounds.announce_due_rounds()
    rounds.announce_due_rounds()  # housekeeping runs every minute: nothing twice
    subjects = db.session.scalars(
        select(Notification.subject)
        .where(Notification.user_id.in_([member.id for member in members]))
        .order_by(Notification.id)
    ).all()
    assert subjects == [
        "Voting round open: Release priorities",
        "Voting round open: Release priorities",
        "Results: Release priorities",
        "Results: Release priorities",
    ]


def test_every_vote_is_an_audit_event(client, make, stakeholder, open_round):
    dataset = make.dataset()
    put(client, open_round, dataset.identifier, 2, stakeholder)
    put(client, open_round, dataset.identifier, 1, stakeholder)
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.tag == "program:round:vote").order_by(AuditEvent.seq)
    ).all()
    assert [(e.payload["before"], e.payload["after"], e.actor_id) for e in events] == [
        ({"votes": 0}, {"votes": 2}, stakeholder.id),
        ({"votes": 2}, {"votes": 1}, stakeholder.id),
    ]


def test_the_page_gives_a_stakeholder_plus_and_minus(client, make, sign_in, open_round):
    dataset = make.dataset(title="Sidewalk inventory", classification="internal")
    sign_in(make.user("stakeholder"))
    response = client.post(
        f"/rounds/{open_round.id}/votes",
        data={"candidate": dataset.identifier, "votes": "1", "back": "?theme=Health"},
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert response.headers["Location"].endswith(
        f"/rounds/{open_round.id}?theme=Health#c-{dataset.identifier}"
    )
    assert "Saved. You have 4 votes left." in page


def test_the_page_keeps_the_back_address_on_this_site(client, make, sign_in, open_round):
    dataset = make.dataset()
    sign_in(make.user("stakeholder"))
    response = client.post(
        f"/rounds/{open_round.id}/votes",
        data={"candidate": dataset.identifier, "votes": "1", "back": "//evil.example/"},
    )
    assert response.headers["Location"].startswith(f"/rounds/{open_round.id}#")


def test_the_page_lists_only_candidates(client, make, sign_in, open_round):
    candidate = make.dataset(title="Candidate record", classification="sensitive")
    make.dataset(title="Restricted record", classification="restricted")
    sign_in(make.user("stakeholder"))
    page = client.get(f"/rounds/{open_round.id}").get_data(as_text=True)
    assert candidate.title in page and "Restricted record" not in page


def test_no_more_ballots_than_voters(client, make, stakeholder, open_round):
    for dataset in (make.dataset(), make.dataset()):
        put(client, open_round, dataset.identifier, 1, stakeholder)
    from registry.priorities.models import Ballot

    assert db.session.scalar(select(func.count(Ballot.id))) == 1


def test_the_api_gives_rounds_a_page_at_a_time_newest_first(client, make):
    for hours, title in ((-72, "Winter"), (-48, "Spring"), (-24, "Summer")):
        factories.voting_round(title=title, opens_in_hours=hours)
    first = client.get("/api/v1/rounds?per_page=2").json
    assert [item["title"] for item in first["items"]] == ["Summer", "Spring"]
    assert (first["total"], first["page"], first["per_page"]) == (3, 1, 2)
    second = client.get("/api/v1/rounds?per_page=2&page=2").json
    assert [item["title"] for item in second["items"]] == ["Winter"]
