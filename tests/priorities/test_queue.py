"""The release queue: what is in it, in what order, and why; the committee's assessments and a
coordinator's override feeding it; city priorities on records."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.db import utcnow
from registry.extensions import db
from registry.priorities import queue, standings
from registry.priorities.scoring import Inputs, RoundShare, score
from tests import factories


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {factories.token(user).secret}"}


def queue_items(client, **args) -> list[dict]:
    return client.get("/api/v1/priorities", query_string=args).json["items"]


def assess(client, dataset, value: int):
    return client.post(
        f"/datasets/{dataset.identifier}/assessment",
        data={name: str(value) for name in queue.CRITERIA},
    )


def test_the_queue_holds_unreleased_records_at_levels_1_to_3(client, make):
    kept = [make.dataset(classification=level) for level in ("public", "internal", "sensitive")]
    make.dataset(classification="restricted")
    published = make.dataset()
    published.status = "published"
    db.session.commit()
    listed = {item["identifier"] for item in queue_items(client)}
    assert listed == {record.identifier for record in kept}


def test_the_queue_is_in_score_order_and_each_score_is_the_formula(client, make):
    low = make.dataset(release_priority="low")
    high = make.dataset(release_priority="high")
    make.data_request()  # unlinked: counts for nothing
    items = queue_items(client)
    assert [item["identifier"] for item in items] == [high.identifier, low.identifier]
    assert [item["score"] for item in items] == [
        score(Inputs(department_priority="high")).total,
        score(Inputs(department_priority="low")).total,
    ]


# The queue asks about its candidates in parts (standings.CHUNK); asked a record at a time, every
# answer is the same.
IN_PARTS = pytest.mark.parametrize("chunk", [standings.CHUNK, 1], ids=["whole", "a-record-a-part"])


@IN_PARTS
def test_why_here_matches_the_function_for_every_input(client, make, sign_in, monkeypatch, chunk):
    monkeypatch.setattr(standings, "CHUNK", chunk)
    code = make.department(code="PW").code
    make.city_priority("Safe neighbourhoods")
    dataset = make.dataset(
        department=code, release_priority="medium", city_priorities=["safe NEIGHBOURHOODS"]
    )
    voting_round = make.voting_round(budget=10)
    voter = make.user("stakeholder")
    client.put(
        f"/api/v1/rounds/{voting_round.id}/votes/{dataset.identifier}",
        json={"votes": 3},
        headers=bearer(voter),
    )
    client.put(
        f"/api/v1/rounds/{voting_round.id}/votes/{make.dataset().identifier}",
        json={"votes": 3},
        headers=bearer(voter),
    )
    voting_round.opens_at = utcnow() - timedelta(days=400)
    voting_round.closes_at = utcnow() - timedelta(days=365)
    db.session.commit()
    coordinator = make.user("coordinator")
    for _ in range(2):
        item = make.data_request()
        client.post(
            f"/api/v1/requests/{item.id}/answer",
            json={"action": "link", "identifier": dataset.identifier},
            headers=bearer(coordinator),
        )
    sign_in(make.user("committee"))
    assess(client, dataset, 2)

    [listed] = [item for item in queue_items(client) if item["identifier"] == dataset.identifier]
    expected = score(
        Inputs(
            department_priority="medium",
            rounds=[RoundShare(votes=3, total=6, age_days=365)],
            linked_requests=2,
            supports_city_priority=True,
            assessments=[[2] * 5],
        )
    )
    assert [(part["name"], part["points"], part["explanation"]) for part in listed["parts"]] == [
        (part.name, part.points, part.explanation) for part in expected.parts
    ]
    assert listed["score"] == expected.total


@IN_PARTS
def test_a_coordinator_overrides_a_score_with_a_reason_shown_and_audited(
    client, make, sign_in, monkeypatch, chunk
):
    monkeypatch.setattr(standings, "CHUNK", chunk)
    dataset = make.dataset(release_priority="low")
    make.dataset(release_priority="high")
    sign_in(make.user("coordinator"))
    client.post(
        f"/queue/{dataset.identifier}/override",
        data={"score": "95", "reason": "Required by the state by June."},
    )
    first = queue_items(client)[0]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == "program:score:override"))
    assert (first["identifier"], first["score"], first["override_reason"]) == (
        dataset.identifier,
        95.0,
        "Required by the state by June.",
    )
    assert event.payload["after"] == {"score": 95.0, "reason": "Required by the state by June."}


def test_an_override_needs_a_reason(client, make, sign_in):
    dataset = make.dataset()
    sign_in(make.user("coordinator"))
    response = client.post(f"/queue/{dataset.identifier}/override", data={"score": "50"})
    assert response.status_code == 422 and queue_items(client)[0]["override_reason"] is None


def test_clearing_an_override_returns_to_the_formula(client, make, sign_in):
    dataset = make.dataset(release_priority="low")
    sign_in(make.user("coordinator"))
    client.post(f"/queue/{dataset.identifier}/override", data={"score": "80", "reason": "Law"})
    client.post(f"/queue/{dataset.identifier}/override", data={"score": "", "reason": "Done"})
    assert queue_items(client)[0]["score"] == 0.0


@pytest.mark.parametrize("role", ["stakeholder", "steward", "committee", "auditor"])
def test_only_coordinators_override(client, make, sign_in, role):
    dataset = make.dataset()
    sign_in(make.user(role))
    response = client.post(
        f"/queue/{dataset.identifier}/override", data={"score": "80", "reason": "Mine"}
    )
    assert response.status_code == 403


def test_the_committee_part_is_the_members_average(client, make, sign_in):
    dataset = make.dataset()
    for value in (3, 1):
        client.post("/sign-out")
        sign_in(make.user("committee"))
        assess(client, dataset, value)
    assert queue_items(client)[0]["parts"][5]["points"] == 13.3  # 2 of 3, of 20


def test_a_member_may_change_their_assessment(client, make, sign_in):
    dataset = make.dataset()
    sign_in(make.user("committee"))
    assess(client, dataset, 3)
    assess(client, dataset, 0)
    assert queue_items(client)[0]["parts"][4]["points"] == 0.0


def test_a_recused_member_may_not_assess(client, make, sign_in):
    code = make.department().code
    dataset = make.dataset(department=code)
    sign_in(make.user("committee", departments=[code]))
    assert assess(client, dataset, 3).status_code == 403


@pytest.mark.parametrize("role", ["stakeholder", "steward", "coordinator", "auditor"])
def test_only_committee_members_assess(client, make, sign_in, role):
    dataset = make.dataset()
    sign_in(make.user(role))
    assert assess(client, dataset, 3).status_code == 403


def test_an_assessment_out_of_range_is_refused_by_criterion(client, make, sign_in):
    dataset = make.dataset()
    sign_in(make.user("committee"))
    response = client.post(
        f"/datasets/{dataset.identifier}/assessment",
        data={"accountability": "4", "public_knowledge": "1"},
    )
    assert response.status_code == 422
    assert "Give 0, 1, 2 or 3." in response.get_data(as_text=True)


def test_an_unknown_city_priority_is_refused_with_the_list(client, make):
    make.city_priority("Economic opportunity")
    response = client.post(
        "/api/v1/datasets",
        json={
            "title": "Business licences",
            "department": make.department().code,
            "classification": "public",
            "city_priorities": ["World peace"],
        },
        headers=bearer(make.user("coordinator")),
    )
    assert response.status_code == 422
    assert response.json["errors"]["city_priorities"] == [
        "Not one of the city's priorities: World peace. Use Economic opportunity."
    ]


def test_records_are_found_by_the_city_priority_they_support(client, make):
    make.city_priority("Economic opportunity")
    linked = make.dataset(city_priorities=["Economic opportunity"])
    make.dataset()
    linked.status = "published"
    db.session.commit()
    found = client.get("/api/v1/datasets", query_string={"city_priority": "Economic opportunity"})
    assert [item["identifier"] for item in found.json["items"]] == [linked.identifier]


def test_the_queue_page_explains_the_formula(client, make):
    make.dataset(title="Street trees")
    page = client.get("/queue").get_data(as_text=True)
    assert "Street trees" in page and "How the priority score is computed" in page


def test_the_queue_pages_by_cursor_in_order_with_its_total(client, make):
    records = [make.dataset(release_priority=p) for p in ("low", "high", "medium") * 3]
    records.append(make.approved())
    whole = [place.dataset.identifier for place in queue.release_queue()]
    assert len(whole) == len(records)
    seen, ranks, after = [], [], None
    while True:
        args = {"per_page": 4, **({"after": after} if after else {})}
        body = client.get("/api/v1/priorities", query_string=args).json
        assert body["total"] == len(records) and body["per_page"] == 4
        seen += [item["identifier"] for item in body["items"]]
        ranks += [item["rank"] for item in body["items"]]
        after = body["next"]
        if after is None:
            break
    assert seen == whole and ranks == list(range(1, len(whole) + 1))
    default = client.get("/api/v1/priorities").json
    assert default["per_page"] == 25 and default["next"] is None


def test_the_queue_is_filtered_by_department_and_status(client, make):
    make.department(code="PW")
    draft = make.dataset(department="PW")
    make.dataset()
    approved = make.approved("PW")
    body = client.get("/api/v1/priorities", query_string={"department": "pw"}).json
    assert {item["identifier"] for item in body["items"]} == {draft.identifier, approved.identifier}
    assert body["total"] == 2
    body = client.get("/api/v1/priorities", query_string={"status": "approved"}).json
    assert [item["identifier"] for item in body["items"]] == [approved.identifier]
    nobody = client.get("/api/v1/priorities", query_string={"department": "NOPE"}).json
    assert (nobody["items"], nobody["total"]) == ([], 0)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"per_page": 101}, "per_page"),
        ({"status": "published"}, "status"),
        ({"after": "not-a-cursor"}, "after"),
    ],
)
def test_a_wrong_queue_query_says_which_parameter(client, make, args, field):
    make.dataset()
    response = client.get("/api/v1/priorities", query_string=args)
    assert response.status_code == 422
    assert field in response.get_data(as_text=True)
