"""Words a person reads after a workflow step: what happened and who is told next; and a
Submit button that says what is missing instead of failing."""

import pytest

from tests.factories import COMPLETE


@pytest.fixture
def steward(make):
    make.department(code="PW", name="Public Works")
    return make.user("steward", departments=["PW"])


def test_a_submission_says_who_is_told(client, make, sign_in, steward):
    record = make.dataset(actor=steward, department="PW", title="Street Trees", **COMPLETE)
    sign_in(steward)
    response = client.post(f"/datasets/{record.identifier}/actions/submit", data={})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Street Trees is submitted for review. The open data coordinators are told." in page


def test_sending_back_for_changes_says_the_steward_is_told(client, make, sign_in, steward):
    from registry.reviews.services import perform_transition

    record = make.dataset(actor=steward, department="PW", title="Potholes", **COMPLETE)
    perform_transition(record, {"action": "submit"}, actor=steward)
    sign_in(make.user("coordinator"))
    client.post(
        f"/datasets/{record.identifier}/actions/request_changes", data={"note": "Add a license."}
    )
    page = client.get(f"/datasets/{record.identifier}").get_data(as_text=True)
    assert "Potholes is sent back for changes. The department&#39;s steward is told." in page


def test_submit_says_what_is_missing_before_it_is_tried(client, make, sign_in, steward):
    record = make.dataset(actor=steward, department="PW", title="Half done")
    sign_in(steward)
    page = client.get(f"/datasets/{record.identifier}").get_data(as_text=True)
    assert 'href="#missing">Submit for review: first add' in page
    assert f"/datasets/{record.identifier}/actions/submit" not in page


def test_the_chair_cites_a_recorded_meeting_from_a_list(client, make, sign_in):
    from datetime import date

    from registry.reviews import meetings
    from registry.reviews.models import Decision

    record = make.in_committee(title="Bridges")
    chair = make.user("committee", chair=True)
    held = meetings.save_meeting(
        {"held_on": "2026-11-12", "attendees": "The chair"}, actor=make.user("coordinator")
    )
    sign_in(chair)
    page = client.get(f"/datasets/{record.identifier}/actions/decide").get_data(as_text=True)
    assert f'<option value="{held.id}" >12 November 2026</option>' in page
    refused = client.post(
        f"/datasets/{record.identifier}/actions/decide",
        data={"outcome": "approve", "note": "Agreed at the meeting."},
    )
    assert "Choose the meeting it was decided at, or cite its minutes." in refused.get_data(
        as_text=True
    )
    unknown = client.post(
        f"/datasets/{record.identifier}/actions/decide",
        data={"outcome": "approve", "note": "Agreed at the meeting.", "meeting": "99999"},
    )
    assert "No meeting is recorded under this number." in unknown.get_data(as_text=True)
    client.post(
        f"/datasets/{record.identifier}/actions/decide",
        data={
            "outcome": "approve",
            "note": "Agreed at the meeting.",
            "meeting": held.id,
            "minutes_reference": "item 4",
        },
    )
    decision = db_decision(Decision, record)
    assert decision.minutes_reference == "Meeting of 12 November 2026, item 4"
    assert held.held_on == date(2026, 11, 12)


def db_decision(model, record):
    from registry.extensions import db

    return db.session.scalars(db.select(model).where(model.dataset_id == record.id)).one()


def test_a_request_is_answered_with_a_dataset_found_by_its_words(client, make, sign_in):
    from registry.priorities.models import DataRequest

    make.department(code="PW", name="Public Works")
    trees = make.dataset(department="PW", title="Street Tree Inventory")
    asked = make.data_request(title="Where are the trees?")
    sign_in(make.user("coordinator"))
    page = client.get(f"/requests/{asked.id}?find=tree").get_data(as_text=True)
    assert 'name="identifier"' in page and "Street Tree Inventory" in page
    assert 'type="radio" name="identifier" id="identifier-1"' in page
    nothing = client.get(f"/requests/{asked.id}?find=zzzz").get_data(as_text=True)
    assert "No dataset you may read matches “zzzz”" in nothing
    response = client.post(
        f"/requests/{asked.id}/answer",
        data={"action": "link", "identifier": trees.identifier, "find": "tree"},
    )
    assert response.status_code == 302
    from registry.extensions import db

    assert db.session.get(DataRequest, asked.id).dataset_id == trees.id
