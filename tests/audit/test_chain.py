import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from registry.audit.models import AuditEvent
from registry.audit.services import record_event, verify_chain
from registry.audit.tags import Tag
from registry.extensions import db


def drop_append_only_triggers():
    """What only someone with owner rights on the database could do: tampering then needs the
    hash chain to be caught. Rolled back with the test."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(text("DROP TRIGGER audit_events_no_delete"))


@pytest.fixture
def tamperable(three_events):
    drop_append_only_triggers()


@pytest.fixture
def three_events(app):
    for number in range(3):
        record_event(
            Tag.DEPARTMENT_UPDATE,
            subject_type="department",
            subject_id=f"D{number}",
            after={"name": f"Name {number}"},
        )
    db.session.flush()


@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEvent).where(AuditEvent.seq == 1).values(actor_label="someone else"),
        delete(AuditEvent).where(AuditEvent.seq == 1),
    ],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_an_event(three_events, statement):
    with pytest.raises(DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(statement)


def test_an_untouched_chain_verifies(three_events):
    report = verify_chain()
    assert (report.ok, report.checked) == (True, 3)


def test_an_altered_payload_is_named(tamperable):
    db.session.execute(
        update(AuditEvent).where(AuditEvent.seq == 2).values(payload={"after": {"name": "forged"}})
    )
    report = verify_chain()
    assert (report.first_bad_seq, report.problem) == (2, "event 2 was altered after it was written")


def test_a_removed_event_is_named(tamperable):
    db.session.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
    assert verify_chain().first_bad_seq == 2


def test_a_removed_last_event_is_noticed(tamperable):
    db.session.execute(delete(AuditEvent).where(AuditEvent.seq == 3))
    assert verify_chain().first_bad_seq == 3


def test_reordered_events_are_named(tamperable):
    rows = {event.seq: event.id for event in db.session.scalars(select(AuditEvent))}
    db.session.execute(update(AuditEvent).where(AuditEvent.id == rows[1]).values(seq=-1))
    db.session.execute(update(AuditEvent).where(AuditEvent.id == rows[2]).values(seq=1))
    db.session.execute(update(AuditEvent).where(AuditEvent.id == rows[1]).values(seq=2))
    assert verify_chain().first_bad_seq == 1


def test_verify_command_reports_the_first_bad_event(app, tamperable):
    db.session.execute(
        update(AuditEvent).where(AuditEvent.seq == 3).values(actor_label="someone else")
    )
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert (result.exit_code, "FAILED: The chain breaks at event 3" in result.output) == (1, True)


def test_verify_command_passes_an_intact_chain(app, three_events):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert (result.exit_code, result.output.strip()) == (
        0,
        "OK: 3 audit events verified; the chain is intact.",
    )


def test_the_audit_api_filters_by_tag_prefix(client, make, sign_in, three_events):
    sign_in(make.user("auditor"))
    body = client.get("/api/v1/audit?tag=account:department").get_json()
    assert [item["subject_id"] for item in body["items"]] == ["D2", "D1", "D0"]


def test_the_audit_api_rejects_a_bad_date(client, make, sign_in):
    sign_in(make.user("auditor"))
    response = client.get("/api/v1/audit?since=yesterday")
    assert (response.status_code, list(response.get_json()["errors"])) == (422, ["since"])
