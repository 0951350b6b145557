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
