"""The review API's status codes: 200, 403 for a role, 409 naming the allowed actions."""

import pytest


@pytest.fixture
def call(client, make):
    def _call(user, method, path, body=None):
        token = make.token(user).secret
        return client.open(
            path, method=method, json=body, headers={"Authorization": f"Bearer {token}"}
        )

    return _call


def test_a_steward_submits_a_complete_draft(make, call):
    steward = make.user("steward")
    dataset = make.dataset(actor=steward, department=steward.department_codes[0], **make.COMPLETE)
    response = call(
        steward, "POST", f"/api/v1/datasets/{dataset.identifier}/transitions", {"action": "submit"}
    )
    assert (response.status_code, response.get_json()["status"]) == (200, "submitted")


def test_an_action_not_possible_now_is_409_naming_the_possible_ones(make, call):
    dataset = make.dataset()
    response = call(
        make.user("coordinator"),
        "POST",
        f"/api/v1/datasets/{dataset.identifier}/transitions",
        {"action": "publish"},
    )
    body = response.get_json()
    assert (response.status_code, body["allowed_actions"]) == (409, ["submit", "retire"])


def test_an_action_the_role_may_not_take_is_403(make, call):
    dataset = make.in_committee()
    response = call(
        make.user("stakeholder"),
        "POST",
        f"/api/v1/datasets/{dataset.identifier}/transitions",
        {"action": "decide", "outcome": "approve", "note": "x"},
    )
    assert response.status_code == 403


def test_a_judgement_without_a_note_is_422(make, call):
    dataset = make.dataset()
    response = call(
        make.user("coordinator"),
        "POST",
        f"/api/v1/datasets/{dataset.identifier}/transitions",
        {"action": "retire"},
    )
    assert (response.status_code, list(response.get_json()["errors"])) == (422, ["note"])


def test_an_unknown_action_is_422(make, call):
    dataset = make.dataset()
    response = call(
        make.user("coordinator"),
        "POST",
        f"/api/v1/datasets/{dataset.identifier}/transitions",
        {"action": "launch"},
    )
    assert response.status_code == 422


def test_votes_and_the_review_state(make, call):
    members = [make.user("committee") for _ in range(3)]
    dataset = make.in_committee()
    call(
        members[0],
        "POST",
        f"/api/v1/datasets/{dataset.identifier}/votes",
        {"vote": "approve", "rationale": "Fine."},
    )
    review = call(members[1], "GET", f"/api/v1/datasets/{dataset.identifier}/review").get_json()
    assert (review["quorum"], review["tally"]["approve"], review["votes"][0]["rationale"]) == (
        2,
        1,
        "Fine.",
    )


def test_voting_outside_committee_is_409(make, call):
    dataset = make.dataset()
    response = call(
        make.user("committee"),
        "POST",
        f"/api/v1/datasets/{dataset.identifier}/votes",
        {"vote": "approve", "rationale": "x"},
    )
    assert response.status_code == 409
