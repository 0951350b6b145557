"""The dataset API's contract: status codes, shapes, tokens, locking and the OpenAPI document."""

import re

import pytest

from registry.api.openapi import build_spec
from registry.extensions import db

VALID = {"title": "Street Tree Inventory", "department": "PW", "classification": "public"}


@pytest.fixture
def steward(make):
    make.department(code="PW")
    return make.user("steward", departments=["PW"])


@pytest.fixture
def api(client, make, steward):
    token = make.token(steward).secret

    def _call(method, path, **kwargs):
        headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
        return client.open(path, method=method, headers=headers, **kwargs)

    return _call


def test_create_answers_201_with_location_and_etag(api):
    response = api("POST", "/api/v1/datasets", json=VALID)
    body = response.get_json()
    assert response.status_code == 201
    assert response.headers["Location"] == f"/api/v1/datasets/{body['identifier']}"
    assert response.headers["ETag"] == '"1"'


def test_the_record_uses_the_agreed_field_names(api, steward):
    body = api("POST", "/api/v1/datasets", json=VALID).get_json()
    expected = {
        "identifier",
        "title",
        "description",
        "department",
        "keywords",
        "themes",
        "contact_name",
        "contact_email",
        "steward",
        "classification",
        "contains_pii",
        "access_level",
        "rights",
        "release_priority",
        "update_frequency",
        "temporal",
        "spatial",
        "formats",
        "record_count",
        "source_system",
        "landing_page",
        "license",
        "distributions",
        "issued",
        "modified",
        "status",
        "version",
        "created_at",
        "updated_at",
    }
    assert expected <= set(body) and body["steward"] == steward.email


def test_invalid_input_is_422_with_every_error_keyed_by_field(api):
    response = api(
        "POST",
        "/api/v1/datasets",
        json={
            "title": "",
            "department": "PW",
            "classification": "secret",
            "colour": "red",
            "distributions": [{"download_url": "ftp://x"}],
        },
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {
        "title",
        "classification",
        "colour",
        "distributions",
    }


def test_a_body_that_is_not_a_json_object_is_400(api):
    response = api("POST", "/api/v1/datasets", data="title=x", content_type="text/plain")
    assert response.status_code == 400 and "JSON object" in response.get_json()["message"]


def test_patch_with_if_match_edits(api):
    identifier = api("POST", "/api/v1/datasets", json=VALID).get_json()["identifier"]
    response = api(
        "PATCH",
        f"/api/v1/datasets/{identifier}",
        json={"title": "Trees"},
        headers={"If-Match": '"1"'},
    )
    assert (response.status_code, response.get_json()["version"], response.headers["ETag"]) == (
        200,
        2,
        '"2"',
    )


def test_a_stale_patch_is_409_with_the_current_version(api):
    identifier = api("POST", "/api/v1/datasets", json=VALID).get_json()["identifier"]
    api("PATCH", f"/api/v1/datasets/{identifier}", json={"title": "First", "version": 1})
    response = api(
        "PATCH", f"/api/v1/datasets/{identifier}", json={"title": "Second", "version": 1}
    )
    body = response.get_json()
    assert (response.status_code, body["error"], body["current_version"], body["fields"]) == (
        409,
        "conflict",
        2,
        {"title": {"yours": "Second", "theirs": "First"}},
    )


def test_a_stale_patch_of_other_fields_merges(api):
    identifier = api("POST", "/api/v1/datasets", json=VALID).get_json()["identifier"]
    api("PATCH", f"/api/v1/datasets/{identifier}", json={"title": "First", "version": 1})
    response = api(
        "PATCH", f"/api/v1/datasets/{identifier}", json={"spatial": "Ward 2", "version": 1}
    )
    body = response.get_json()
    assert (response.status_code, body["title"], body["spatial"], body["version"]) == (
        200,
        "First",
        "Ward 2",
        3,
    )


def test_history_lists_versions_newest_first(api):
    identifier = api("POST", "/api/v1/datasets", json=VALID).get_json()["identifier"]
    api("PATCH", f"/api/v1/datasets/{identifier}", json={"record_count": 10, "version": 1})
    items = api("GET", f"/api/v1/datasets/{identifier}/history").get_json()["items"]
    assert [(item["version"], item["changes"]) for item in items] == [
        (2, {"record_count": {"from": None, "to": 10}}),
        (1, {}),
    ]


def test_list_answers_the_agreed_page_shape(api):
    api("POST", "/api/v1/datasets", json=VALID)
    body = api("GET", "/api/v1/datasets?per_page=1").get_json()
    assert {"items", "total", "page", "per_page"} <= set(body) and (
        body["total"],
        body["per_page"],
    ) == (1, 1)


def test_per_page_is_at_most_100(api):
    assert api("GET", "/api/v1/datasets?per_page=101").status_code == 422


def test_a_revoked_token_is_refused(client, make):
    from registry.accounts.tokens import revoke_token
    from registry.extensions import db

    owner = make.user("auditor")
    token = make.token(owner)
    revoke_token(owner, token.id, actor=owner)
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.secret}"})
    assert response.status_code == 401


def test_a_token_acts_with_its_owners_permissions(client, make):
    token = make.token(make.user("stakeholder")).secret
    response = client.post(
        "/api/v1/datasets", json=VALID, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403


def test_cookie_authenticated_writes_need_a_csrf_token(app, client, make, sign_in, monkeypatch):
    make.department(code="PW")
    sign_in(make.user("coordinator"))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/api/v1/datasets", json=VALID).status_code == 400


def test_token_writes_need_no_csrf_token(app, api, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert api("POST", "/api/v1/datasets", json=VALID).status_code == 201


def test_every_api_route_is_in_the_openapi_document_as_its_view_states_it(app):
    operations = {
        (method.upper(), "/api/v1" + path.replace("{", "<").replace("}", ">")): operation
        for path, item in build_spec(app)["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    }
    documented = set(operations)
    # Each view states its operation (registry.api.operations): a summary, and what it answers
    # when it succeeds, beside the errors every operation may give.
    for operation in operations.values():
        assert operation["summary"]
        assert any(status.startswith("2") for status in operation["responses"])
    served = {
        (method, re.sub(r"<[^:>]+:(\w+)>", r"<\1>", rule.rule))  # <int:round_id> is {round_id}
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == documented


def test_the_openapi_document_is_served(client):
    body = client.get("/api/v1/openapi.json").get_json()
    assert body["openapi"] == "3.0.3" and "Dataset" in body["components"]["schemas"]


def test_the_public_reads_the_steward_by_name_never_by_account_email(client, make, steward):
    from registry.reviews.services import perform_transition

    dataset = make.dataset(actor=steward, department="PW", **make.COMPLETE)
    coordinator = make.user("coordinator")
    perform_transition(dataset, {"action": "submit"}, actor=steward)
    perform_transition(dataset, {"action": "send_to_committee"}, actor=coordinator)
    chair = make.user("committee", chair=True)
    decide = {"action": "decide", "outcome": "approve", "note": "Ok", "minutes_reference": "M1"}
    perform_transition(dataset, decide, actor=chair)
    publish = {"action": "publish", "landing_page": "https://data.city.example/trees"}
    perform_transition(dataset, publish, actor=coordinator)
    db.session.commit()

    record = client.get(f"/api/v1/datasets/{dataset.identifier}").get_json()
    history = client.get(f"/api/v1/datasets/{dataset.identifier}/history").get_json()
    page = client.get(f"/datasets/{dataset.identifier}").get_data(as_text=True)
    assert (record["steward"], record["steward_name"]) == (None, steward.name)
    assert {item["changed_by"] for item in history["items"]} == {None}
    assert steward.email not in page and chair.email not in page


@pytest.mark.parametrize("tag", ['"¹"', '"٣"', '"1.0"', '"-1"', '"1234567890"', "W/", '""'])
def test_a_malformed_if_match_is_a_422(api, tag):
    identifier = api("POST", "/api/v1/datasets", json=VALID).get_json()["identifier"]
    response = api(
        "PATCH",
        f"/api/v1/datasets/{identifier}",
        json={"title": "Trees"},
        headers={"If-Match": tag},
    )
    assert response.status_code == 422
