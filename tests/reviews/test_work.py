"""Each role's work queue holds what waits for that person, and nothing else."""

import re
from datetime import timedelta

from sqlalchemy import select

from registry.datasets.models import Dataset
from registry.db import utctoday
from registry.extensions import db
from registry.priorities import work as program
from registry.reviews import services, work


def titles(queue):
    return [dataset.title for dataset in queue]


def titles_on(page: str) -> list[str]:
    return re.findall(r'<a href="/datasets/[^"#]+#review">([^<]+)</a>', page)


def decide(make, dataset):
    """With a quorum of one, a single approving vote decides."""
    services.update_settings(
        {"quorum": 1, "release_deadline_days": 90, "rereview_days": 365}, actor=None
    )
    services.cast_vote(
        dataset, {"vote": "approve", "rationale": "Fine."}, actor=make.user("committee")
    )


def test_a_steward_sees_their_departments_drafts_and_change_requests(make):
    steward = make.user("steward")
    make.dataset(actor=steward, department=steward.department_codes[0], title="Mine")
    make.dataset(title="Someone else's")
    queues = work.work_queues(steward)
    assert (titles(queues["drafts"]), queues["changes_requested"]) == (["Mine"], [])


def test_a_committee_member_sees_what_awaits_their_vote_until_they_vote(make):
    member = make.user("committee")
    make.user("committee")
    make.user("committee")
    dataset = make.in_committee(title="Parking Citations")
    before = titles(work.work_queues(member)["awaiting_vote"])
    services.cast_vote(dataset, {"vote": "reject", "rationale": "Too raw."}, actor=member)
    after = titles(work.work_queues(member)["awaiting_vote"])
    assert (before, after) == (["Parking Citations"], [])


def test_a_recused_member_is_not_asked_to_vote(make):
    make.department(code="HD")
    colleague = make.user("committee", departments=["HD"])
    make.in_committee("HD")
    assert work.work_queues(colleague)["awaiting_vote"] == []


def test_the_coordinator_sees_triage_publication_and_overdue(make):
    coordinator = make.user("coordinator")
    make.dataset(title="Triage me")  # a draft: not yet the coordinator's
    waiting = make.in_committee(title="Approved now")
    decide(make, waiting)
    late = make.in_committee(title="Approved long ago")
    decide(make, late)
    late.release_target_date = utctoday() - timedelta(days=1)
    db.session.commit()
    queues = work.work_queues(coordinator)
    assert (titles(queues["to_publish"]), titles(queues["overdue"])) == (
        ["Approved now"],
        ["Approved long ago"],
    )
    assert late.is_overdue(utctoday()) and not waiting.is_overdue(utctoday())


def test_an_old_approval_is_due_for_rereview(make):
    coordinator = make.user("coordinator")
    dataset = make.in_committee(title="Old approval")
    decide(make, dataset)
    next_year = utctoday() + timedelta(days=400)
    queues = work.work_queues(coordinator, today=next_year)
    assert titles(queues["due_for_rereview"]) == ["Old approval"]
    assert services.due_for_rereview(dataset, today=next_year)
    assert not services.due_for_rereview(dataset)


def test_the_work_page_lists_the_queues(client, make, sign_in):
    steward = sign_in(make.user("steward"))
    make.dataset(actor=steward, department=steward.department_codes[0], title="My draft")
    html = client.get("/work").get_data(as_text=True)
    assert "Your department&#39;s drafts" in html and "My draft" in html


def test_roles_without_a_queue_are_told_so(client, make, sign_in):
    sign_in(make.user("stakeholder"))
    assert "no review work queue" in client.get("/work").get_data(as_text=True)


def test_a_long_queue_shows_its_first_records_and_how_many_there_are(client, make, sign_in):
    steward = make.user("steward")
    code = steward.department_codes[0]
    for number in range(work.SUMMARY_SIZE + 23):
        make.dataset(actor=steward, department=code, title=f"Draft {number:02d}")
    drafts = work.work_queues(steward)["drafts"]
    assert (len(drafts), drafts.total) == (work.SUMMARY_SIZE, work.SUMMARY_SIZE + 23)
    sign_in(steward)
    page = client.get("/work").get_data(as_text=True)
    assert f"Showing {work.SUMMARY_SIZE} of 28." in page
    assert 'href="/work?kind=drafts"' in page and 'href="/datasets?status=draft"' in page
    # The list of its own, 25 a page: the second holds the last three.
    second = client.get("/work?kind=drafts&page=2").get_data(as_text=True)
    assert "Page 2 of 2: 28 in all." in second
    assert titles_on(second) == ["Draft 25", "Draft 26", "Draft 27"]


def test_the_query_and_the_record_agree_on_who_is_recused(make):
    from sqlalchemy import select

    from registry.datasets.models import Dataset
    from registry.reviews.permissions import is_recused, not_recused

    make.department(code="HD")
    member = make.user("committee", departments=["HD"])
    steward = make.user("steward", departments=["HD"])
    records = [
        make.dataset(department="HD"),
        make.dataset(),
        make.dataset(actor=steward, department="HD"),
        make.dataset(),
    ]
    records[1].steward_id = member.id
    db.session.commit()
    ids = [record.id for record in records]
    judged = set(
        db.session.scalars(select(Dataset.id).where(Dataset.id.in_(ids), not_recused(member)))
    )
    assert judged == {record.id for record in records if not is_recused(member, record)}
    assert judged == {records[3].id}


def test_a_coordinators_requests_to_answer_are_capped_with_their_total(client, make, sign_in):
    for number in range(work.SUMMARY_SIZE + 2):
        make.data_request(title=f"Request {number}")
    sign_in(make.user("coordinator"))
    page = client.get("/work").get_data(as_text=True)
    assert f"Showing {work.SUMMARY_SIZE} of {work.SUMMARY_SIZE + 2}." in page
    assert page.count("Request ") >= work.SUMMARY_SIZE
    whole = client.get("/work?kind=requests_to_answer").get_data(as_text=True)
    assert whole.count(">Request ") == work.SUMMARY_SIZE + 2


def test_records_to_assess_come_soonest_target_first_across_both_states(make):
    """Read a state at a time and merged, the list is the one query over both would give: by
    target date (the database's place for records with none), then title."""
    make.department(code="PW")
    for title in ("Before the committee B", "Before the committee A"):
        make.in_committee("PW", title=title)
    for days, title in ((30, "Approved later"), (10, "Approved soon"), (10, "Approved also soon")):
        make.approved("PW", target=utctoday() + timedelta(days=days), title=title)
    member = make.user("committee")
    both = select(Dataset.title).where(Dataset.status.in_(["in_committee", "approved"]))
    expected = db.session.scalars(both.order_by(Dataset.release_target_date, Dataset.title)).all()
    assert [record.title for record in program._to_assess(member)] == expected


def test_a_long_work_list_is_counted_up_to_its_limit(make, client, sign_in, monkeypatch):
    """Past COUNT_LIMIT a list says "more than" it, and links to the whole list, which
    counts exactly."""
    monkeypatch.setattr(work, "COUNT_LIMIT", 3)
    monkeypatch.setattr(work, "SUMMARY_SIZE", 2)
    make.department(code="PW")
    steward = make.user("steward", departments=["PW"])
    for number in range(5):
        make.dataset(department="PW", title=f"Draft {number}")
    drafts = work.work_queues(steward)["drafts"]
    assert (len(drafts), drafts.total, drafts.beyond) == (2, 3, True)
    assert (drafts.counted, drafts.badge) == ("more than 3", "3+")
    sign_in(steward)
    page = client.get("/work").get_data(as_text=True)
    assert "Showing 2 of more than 3." in page and ">3+</span>" in page
