"""My work as a list of hundreds reads: the most urgent list first (a committee member's votes
before anything), each item with its due date and age, each list of its own a page of 25 at a
time, narrowed to one department."""

import re
from datetime import timedelta

from registry.db import utctoday
from registry.extensions import db


def sections(page: str) -> list[str]:
    return re.findall(r'<h2 class="h5 mb-1" id="queue-([a-z_-]+)">', page)


def test_a_committee_members_votes_come_before_their_assessments(client, make, sign_in):
    make.department(code="PW")
    make.in_committee("PW", title="Before the committee")
    member = make.user("committee")
    sign_in(member)
    order = sections(client.get("/work").get_data(as_text=True))
    assert order[0] == "awaiting_vote" and "assess" in order


def test_each_record_says_when_it_is_due_and_how_late(client, make, sign_in):
    make.department(code="PW")
    late = make.approved("PW", title="Late one", target=utctoday() - timedelta(days=35))
    make.approved("PW", title="Soon one", target=utctoday() + timedelta(days=6))
    late.release_target_date = utctoday() - timedelta(days=35)
    db.session.commit()
    sign_in(make.user("coordinator"))
    page = client.get("/work").get_data(as_text=True)
    assert sections(page)[0] == "overdue"
    assert ", 35 days late</span>" in page and ", in 6 days" in page
    assert "changed today" in page


def test_the_lists_narrow_to_one_department(client, make, sign_in):
    make.department(code="PW", name="Public Works")
    make.department(code="PD", name="Police")
    make.dataset(department="PW", title="Works draft")
    make.dataset(department="PD", title="Police draft")
    steward = make.user("steward", departments=["PW", "PD"])
    sign_in(steward)
    both = client.get("/work?kind=drafts").get_data(as_text=True)
    assert "Works draft" in both and "Police draft" in both
    works = client.get("/work?kind=drafts&department=pw").get_data(as_text=True)
    assert "Works draft" in works and "Police draft" not in works
    assert "of Public Works" in works
    summary = client.get("/work?department=PD").get_data(as_text=True)
    assert "Police draft" in summary and "Works draft" not in summary


def test_a_wrong_department_or_list_is_said_so(client, make, sign_in):
    sign_in(make.user("coordinator"))
    wrong = client.get("/work?department=ZZ")
    assert wrong.status_code == 422
    assert "No department has the code “ZZ”. Choose one." in wrong.get_data(as_text=True)
    assert client.get("/work?kind=awaiting_vote").status_code == 404  # not a member
    assert client.get("/work?kind=nothing").status_code == 404
    past = client.get("/work?kind=to_triage&page=9").get_data(as_text=True)
    assert "Nothing here" in past


def test_a_coordinator_acknowledges_chosen_requests_together(client, make, sign_in):
    from registry.audit.models import AuditEvent
    from registry.priorities.models import DataRequest

    first, second, third = (make.data_request(title=f"Ask {n}") for n in range(3))
    coordinator = make.user("coordinator")
    sign_in(coordinator)
    page = client.get("/work").get_data(as_text=True)
    assert "Acknowledge the chosen requests" in page
    assert f'<label class="visually-hidden" for="choose-requests_to_answer-{first.id}">' in page
    response = client.post(
        "/work/requests/acknowledge",
        data={"request": [first.id, third.id], "next": "/work?kind=requests_to_answer"},
    )
    assert response.headers["Location"] == "/work?kind=requests_to_answer"
    statuses = {r.title: r.status for r in db.session.scalars(db.select(DataRequest))}
    assert statuses == {"Ask 0": "acknowledged", "Ask 1": "received", "Ask 2": "acknowledged"}
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.tag == "program:request:respond")
    )
    assert len(list(events)) == 2
    # Nothing chosen: said so, nothing changes; chosen again: acknowledged already.
    client.post("/work/requests/acknowledge", data={"next": "/work"})
    shown = client.get("/work").get_data(as_text=True)
    assert "Choose at least one request to acknowledge." in shown
    client.post("/work/requests/acknowledge", data={"request": [first.id], "next": "/work"})
    assert "acknowledged already: nothing changed" in client.get("/work").get_data(as_text=True)
    assert second.status == "received"


def test_only_a_coordinator_acknowledges_requests(client, make, sign_in):
    asked = make.data_request(title="Ask")
    sign_in(make.user("steward"))
    response = client.post("/work/requests/acknowledge", data={"request": [asked.id]})
    assert response.status_code == 403
    assert asked.status == "received"


def test_a_coordinator_gives_chosen_records_a_steward_in_one_go(client, make, sign_in):
    from registry.notifications.models import Notification

    make.department(code="PW", name="Public Works")
    first, second, third = (make.dataset(department="PW", title=f"Draft {n}") for n in range(3))
    steward = make.user("steward", departments=["PW"], name="Sam Steward")
    outsider = make.user("steward", name="Other Department")
    coordinator = make.user("coordinator")
    sign_in(coordinator)
    empty = client.get("/work?kind=in_rereview&department=PW").get_data(as_text=True)
    assert "Nothing here for Public Works" in empty
    # What a list's form posts (the coordinator's lists hold no drafts to choose from here).
    back = "/work?kind=overdue&department=PW"
    response = client.post(
        "/work/steward",
        data={
            "record": [first.identifier, third.identifier],
            "steward": steward.email,
            "next": back,
        },
    )
    assert response.headers["Location"] == back
    assert (first.steward, second.steward, third.steward) == (steward, None, steward)
    told = db.session.scalars(db.select(Notification).where(Notification.user_id == steward.id))
    assert [note.subject for note in told] == ["You look after 2 more records"]
    # One record refused (a steward of another department) refuses all: nothing changes.
    client.post(
        "/work/steward",
        data={"record": [second.identifier], "steward": outsider.email, "next": back},
    )
    assert second.steward is None
    refused = client.get(back).get_data(as_text=True)
    assert "Draft 1: " in refused


def test_a_steward_chooses_records_on_their_departments_list(client, make, sign_in):
    make.department(code="PW", name="Public Works")
    steward = make.user("steward", departments=["PW"], name="Sam Steward")
    for number in range(2):
        make.dataset(actor=steward, department="PW", title=f"Draft {number}")
    sign_in(steward)
    page = client.get("/work?kind=drafts&department=PW").get_data(as_text=True)
    assert "Make them the steward" in page and '<option value="' + steward.email in page
    assert "Choose Draft 0" in page
    plain = client.get("/work?kind=drafts").get_data(as_text=True)
    assert "Make them the steward" not in plain
    assert "Choose a department to give its records a steward" in plain


def test_a_page_number_past_any_list_is_read_as_the_last_page_there_could_be(client, make, sign_in):
    sign_in(make.user("coordinator"))
    response = client.get(f"/work?kind=overdue&page={10**30}")
    assert response.status_code == 200
    assert "Nothing here" in response.get_data(as_text=True)
