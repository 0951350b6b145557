"""From draft to publication through the pages, as the steward, coordinator and committee."""

import re

import pytest

from registry.datasets.services import get_readable
from tests import factories


@pytest.fixture
def cast(make):
    make.department(code="PW", name="Public Works")
    return {
        "steward": make.user("steward", departments=["PW"]),
        "coordinator": make.user("coordinator"),
        "members": [make.user("committee", chair=(n == 0)) for n in range(3)],
    }


@pytest.fixture
def as_user(app):
    """A browser of that person's own: one test client per user, signed in."""

    def _as(user):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = factories.browser_session(user)
        return client

    return _as


def test_draft_to_publication_through_the_pages(as_user, make, cast):
    dataset = make.dataset(actor=cast["steward"], department="PW", **make.COMPLETE)
    page = f"/datasets/{dataset.identifier}"

    steward = as_user(cast["steward"])
    assert "Submit for review" in steward.get(page).get_data(as_text=True)
    steward.post(f"{page}/actions/submit", data={"note": ""})

    coordinator = as_user(cast["coordinator"])
    coordinator.post(f"{page}/actions/send_to_committee", data={})

    for member in cast["members"][1:]:
        as_user(member).post(
            f"{page}/vote", data={"vote": "approve", "rationale": "Low risk, high demand."}
        )
    assert get_readable(dataset.identifier, cast["coordinator"]).status == "approved"

    decision = coordinator.get(f"{page}/decisions/1").get_data(as_text=True)
    assert "Approve" in decision and "Low risk, high demand." in decision

    form = coordinator.get(f"{page}/actions/publish").get_data(as_text=True)
    kept = re.search(r'name="distributions-0-download_url" value="([^"]+)"', form).group(1)
    coordinator.post(
        f"{page}/actions/publish",
        data={
            "landing_page": "https://data.riverton.example/x",
            "distributions-0-download_url": kept,
            "distributions-0-media_type": "text/csv",
        },
    )
    html = coordinator.get(page).get_data(as_text=True)
    assert "Published on time" in html


def test_a_judgement_page_insists_on_a_rationale(as_user, make, cast):
    dataset = make.dataset(department="PW")
    response = as_user(cast["coordinator"]).post(
        f"/datasets/{dataset.identifier}/actions/retire", data={"note": ""}
    )
    assert response.status_code == 422 and 'id="note-error"' in response.get_data(as_text=True)


def test_the_page_offers_only_what_the_user_may_do(as_user, make, cast):
    dataset = make.in_committee("PW")
    page = f"/datasets/{dataset.identifier}"
    member = as_user(cast["members"][1]).get(page).get_data(as_text=True)
    chair = as_user(cast["members"][0]).get(page).get_data(as_text=True)
    assert ">Vote<" in member and "Record the committee" not in member
    assert "Record the committee" in chair


def test_an_unknown_action_is_not_found(as_user, make, cast):
    dataset = make.dataset(department="PW")
    assert (
        as_user(cast["coordinator"])
        .get(f"/datasets/{dataset.identifier}/actions/launch")
        .status_code
        == 404
    )


def test_the_committee_settings_page_saves(as_user, make, cast):
    client = as_user(cast["coordinator"])
    response = client.post(
        "/admin/committee",
        data={"quorum": "", "release_deadline_days": "60", "rereview_days": "365"},
    )
    assert response.status_code == 302
    assert re.search(
        r'id="release_deadline_days"[^>]*value="60"|value="60"[^>]*id="release_deadline_days"',
        client.get("/admin/committee").get_data(as_text=True),
    )


def test_publication_needs_a_distribution(as_user, make, cast):
    dataset = make.dataset(
        actor=cast["steward"], department="PW", **{**make.COMPLETE, "distributions": []}
    )
    from registry.reviews.services import perform_transition

    perform_transition(dataset, {"action": "submit"}, actor=cast["steward"])
    perform_transition(dataset, {"action": "send_to_committee"}, actor=cast["coordinator"])
    for member in cast["members"][1:]:
        make_vote = {"vote": "approve", "rationale": "Fine."}
        as_user(member).post(f"/datasets/{dataset.identifier}/vote", data=make_vote)

    response = as_user(cast["coordinator"]).post(
        f"/datasets/{dataset.identifier}/actions/publish",
        data={"landing_page": "https://data.riverton.example/x"},
    )

    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Add at least one distribution" in html


def test_the_publication_form_starts_from_the_record(as_user, make, cast):
    dataset = make.dataset(
        actor=cast["steward"],
        department="PW",
        landing_page="https://data.riverton.example/trees",
        **make.COMPLETE,
    )
    from registry.reviews.services import perform_transition

    perform_transition(dataset, {"action": "submit"}, actor=cast["steward"])
    perform_transition(dataset, {"action": "send_to_committee"}, actor=cast["coordinator"])
    for member in cast["members"][1:]:
        as_user(member).post(
            f"/datasets/{dataset.identifier}/vote", data={"vote": "approve", "rationale": "Ok."}
        )

    html = as_user(cast["coordinator"]).get(f"/datasets/{dataset.identifier}/actions/publish").text

    assert 'value="https://data.riverton.example/trees"' in html
    assert 'value="https://data.city.example/d.csv"' in html


def test_the_submission_note_is_on_the_review_panel(as_user, make, cast):
    dataset = make.dataset(actor=cast["steward"], department="PW", **make.COMPLETE)
    steward = as_user(cast["steward"])
    steward.post(
        f"/datasets/{dataset.identifier}/actions/submit",
        data={"note": "Ready: the dictionary was checked by the GIS team."},
    )

    html = as_user(cast["coordinator"]).get(f"/datasets/{dataset.identifier}").text

    assert "the dictionary was checked by the GIS team" in html


def test_the_record_says_what_is_missing_before_submitting(as_user, make, cast):
    dataset = make.dataset(actor=cast["steward"], department="PW")

    html = as_user(cast["steward"]).get(f"/datasets/{dataset.identifier}").text

    missing = html.split('id="missing"')[1].split("</div>")[0]
    assert "keywords" in missing and "an update frequency" in missing
