"""What an outside probe found leaking through the scattered read side, each closed by the one
read side (datasets.visibility) and kept closed here."""

import pytest
from sqlalchemy import select

from registry.datasets import services as datasets
from registry.datasets import stewardship
from registry.extensions import db
from registry.notifications.models import Notification
from registry.reviews import services as reviews
from tests import factories

RESTRICT = {
    "classification": "restricted",
    "access_level": "non-public",
    "rights": "Municipal Code 2.14",
    "contains_pii": True,
    "pii_kinds": ["health"],
}
OPEN = {
    "classification": "public",
    "access_level": "public",
    "rights": None,
    "contains_pii": False,
    "pii_kinds": [],
}


@pytest.fixture
def committee(make):
    return [make.user("committee", chair=(number == 0)) for number in range(5)]


def approve(dataset, committee):
    for member in committee[1:4]:
        if reviews.can_vote(member, dataset):
            reviews.cast_vote(dataset, {"vote": "approve", "rationale": "Yes."}, actor=member)


def as_(client, user):
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = factories.browser_session(user)
    return client


@pytest.fixture
def downgraded(make, committee):
    """A restricted record, approved as such, then reclassified public through a re-review."""
    make.department(code="HD")
    dataset = make.in_committee("HD", **RESTRICT)
    approve(dataset, committee)
    datasets.update_dataset(dataset, {**OPEN, "version": dataset.version}, actor=dataset.steward)
    approve(dataset, committee)
    db.session.commit()
    assert dataset.classification == "public"
    return dataset


@pytest.mark.parametrize("who", ["stakeholder", "other steward"])
def test_a_downgraded_records_decisions_never_show_its_restricted_past(
    client, make, downgraded, who
):
    reader = make.user("stakeholder") if who == "stakeholder" else make.user("steward")
    client = as_(client, reader)
    listed = client.get(f"/api/v1/datasets/{downgraded.identifier}/decisions").get_json()
    page = client.get(f"/datasets/{downgraded.identifier}/decisions/{downgraded.review_round}")
    assert "restricted" not in str(listed) and "Municipal Code" not in str(listed)
    assert page.status_code == 404


def test_the_auditor_still_reads_every_decision(client, make, downgraded):
    client = as_(client, make.user("auditor"))
    listed = client.get(f"/api/v1/datasets/{downgraded.identifier}/decisions").get_json()
    assert [item["review_round"] for item in listed["items"]] == [2, 1]


@pytest.fixture
def published_with_a_restriction_proposed(make, committee):
    """A public record, published, whose steward proposes to restrict it (never restricted)."""
    dataset = make.in_committee()
    approve(dataset, committee)
    reviews.perform_transition(
        dataset,
        {"action": "publish", "landing_page": "https://data.city.example/x"},
        actor=make.user("coordinator"),
    )
    datasets.update_dataset(
        dataset, {**RESTRICT, "version": dataset.version}, actor=dataset.steward
    )
    db.session.commit()
    return dataset


def test_the_public_sees_no_trace_of_a_proposal_to_restrict(
    client, published_with_a_restriction_proposed
):
    dataset = published_with_a_restriction_proposed
    client = as_(client, None)
    record = client.get(f"/api/v1/datasets/{dataset.identifier}").get_json()
    history = client.get(f"/api/v1/datasets/{dataset.identifier}/history").get_json()
    page = client.get(f"/datasets/{dataset.identifier}").get_data(as_text=True)
    history_page = client.get(f"/datasets/{dataset.identifier}/history").get_data(as_text=True)
    assert (record["version"], record["proposed_governance"], history["hidden_versions"]) == (
        None,
        None,
        0,
    )
    assert "restricted" not in page.lower() and "review round" not in page.lower()
    assert "restricted" not in history_page.lower()
    numbers = [item["version"] for item in history["items"]]
    assert numbers == list(range(len(numbers), 0, -1))  # no gap where the proposal was


def test_readers_who_may_not_see_every_round_see_no_round_numbers(
    client, make, published_with_a_restriction_proposed, committee
):
    dataset = published_with_a_restriction_proposed
    for member in committee[1:4]:
        reviews.cast_vote(dataset, {"vote": "reject", "rationale": "No."}, actor=member)
    db.session.commit()
    stakeholder = make.user("stakeholder")
    listed = (
        as_(client, stakeholder).get(f"/api/v1/datasets/{dataset.identifier}/decisions").get_json()
    )
    page = client.get(f"/datasets/{dataset.identifier}").get_data(as_text=True)
    assert [item["review_round"] for item in listed["items"]] == [None]
    assert "Round 1" not in page and "review round" not in page


def test_a_steward_who_leaves_the_department_is_no_longer_the_records_steward(make):
    coordinator = make.user("coordinator")
    make.department(code="HD")
    make.department(code="PW")
    steward = make.user("steward", departments=["HD"])
    dataset = make.dataset(actor=steward, department="HD", **RESTRICT)
    assert dataset.steward == steward
    stewardship.update_user(steward, {"departments": ["PW"]}, actor=coordinator, partial=True)
    db.session.commit()
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.kind == "Needs a steward")
    ).all()
    assert (dataset.steward, told) == (None, [coordinator.id])


def test_nobody_is_told_about_a_record_they_may_not_read(make):
    """Notices are checked as they are written: a stakeholder named nowhere, and a former
    steward, hear nothing of a restricted record."""
    coordinator = make.user("coordinator")
    make.department(code="HD")
    make.department(code="PW")
    former = make.user("steward", departments=["HD"])
    dataset = make.dataset(actor=former, department="HD", **{**RESTRICT, **factories.COMPLETE})
    stewardship.update_user(former, {"departments": ["PW"]}, actor=coordinator, partial=True)
    current = make.user("steward", departments=["HD"])
    datasets.update_dataset(
        dataset, {"steward": current.email, "version": dataset.version}, actor=coordinator
    )
    reviews.perform_transition(dataset, {"action": "submit"}, actor=current)
    db.session.commit()
    recipients = set(db.session.scalars(select(Notification.user_id)))
    assert former.id not in recipients and coordinator.id in recipients


def test_a_hidden_proposal_does_not_move_the_last_update_the_public_sees(client, make, committee):
    dataset = make.in_committee()
    approve(dataset, committee)
    reviews.perform_transition(
        dataset,
        {"action": "publish", "landing_page": "https://data.city.example/x"},
        actor=make.user("coordinator"),
    )
    db.session.commit()
    seen = as_(client, None).get(f"/api/v1/datasets/{dataset.identifier}").get_json()
    datasets.update_dataset(
        dataset, {**RESTRICT, "version": dataset.version}, actor=dataset.steward
    )
    db.session.commit()
    again = client.get(f"/api/v1/datasets/{dataset.identifier}").get_json()
    assert (again["updated_at"], dataset.proposed_governance is not None) == (
        seen["updated_at"],
        True,
    )


def import_row(steward, identifier):
    from registry.transfer.imports import run_import
    from registry.transfer.workbooks import Table

    table = Table("CSV", ["Identifier", "Title"], [(2, [identifier, "Street trees"])])
    report = run_import(table, actor=steward, department="PW", dry_run=True, digest="x")
    return [problem.message for problem in report.problems]


def test_an_importer_hears_the_same_of_a_hidden_record_and_an_unknown_one(make):
    hidden = make.dataset(department=make.department(code="HD").code, **RESTRICT)
    make.department(code="PW")
    steward = make.user("steward", departments=["PW"])
    assert import_row(steward, hidden.identifier) == import_row(steward, "hd-zzzzzz")


def test_listing_restricted_records_is_audited_like_reading_one(client, make):
    from registry.audit.models import AuditEvent
    from registry.audit.tags import Tag

    hidden = make.dataset(**RESTRICT)
    client = as_(client, make.user("auditor"))
    client.get("/api/v1/datasets?classification=restricted&per_page=100")
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.tag == Tag.DATASET_READ_RESTRICTED)
    )
    assert event.payload["identifiers"] == [hidden.identifier]


def test_an_unreadable_records_404_sends_what_a_missing_ones_does(client, make):
    from tests.datasets.test_query_plans import statements_sent

    hidden = make.dataset(**RESTRICT)
    client = as_(client, None)
    answers = []
    for identifier in (hidden.identifier, "zz-nothere"):
        response, sent = statements_sent(lambda i=identifier: client.get(f"/catalog/{i}"))
        queries = [statement for statement, _ in sent if "SAVEPOINT" not in statement]
        answers.append((response.status_code, response.data, queries))
    assert answers[0] == answers[1] and answers[0][0] == 404
