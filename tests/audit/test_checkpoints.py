"""The audit log anchored outside the database: each of the five rewrites an outside probe made,
by someone able to write to the database and recompute every hash, passes the chain check alone
and is caught against a checkpoint taken before it. Records changed behind the log's back are
caught by comparing them with their events."""

import json

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from registry.audit.checkpoints import take_checkpoint, verify_against
from registry.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent
from registry.audit.services import event_hash, verify_chain
from registry.extensions import db
from registry.integrity import check_decisions, check_versions, check_votes
from registry.reviews.models import Decision
from tests.audit.test_chain import drop_append_only_triggers


@pytest.fixture
def history(make):
    """A little real history: records, a decision by vote; then a checkpoint of it."""
    from registry.reviews.services import cast_vote

    members = [make.user("committee") for _ in range(3)]
    dataset = make.in_committee()
    for member in members[:2]:  # quorum is two of three
        cast_vote(dataset, {"vote": "approve", "rationale": "Fine."}, actor=member)
    db.session.commit()
    return take_checkpoint()


def rechain(events: list[AuditEvent]) -> None:
    """What a careful forger does after changing the log: renumber, recompute every hash, and
    move the head, so that the chain verifies on its own."""
    previous = GENESIS_HASH
    for number, event in enumerate(events, start=1):
        event.seq, event.prev_hash = number, previous
        event.hash = event_hash(event)
        previous = event.hash
    db.session.execute(
        update(AuditChainHead).where(AuditChainHead.id == 1).values(seq=len(events), hash=previous)
    )


def all_events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def reinsert(events: list[AuditEvent]) -> None:
    """Empties the table and writes the (forged) events back."""
    rows = [
        {column.key: getattr(event, column.key) for column in AuditEvent.__table__.columns}
        for event in events
    ]
    db.session.expunge_all()
    db.session.execute(delete(AuditEvent))
    for row in rows:
        row.pop("id")
        db.session.add(AuditEvent(**row))
    db.session.flush()


def altered(events):
    events[1].payload = {**events[1].payload, "forged": True}
    return events


def truncated(events):
    return events[:-3]


def middle_removed(events):
    return events[:2] + events[3:]


def emptied_and_refilled(events):
    reinsert(altered(events))
    return all_events()


REWRITES = {
    "alter an event and recompute every later hash": altered,
    "truncate the tail": truncated,
    "delete from the middle and renumber": middle_removed,
    "empty the table and re-insert a rewritten log": emptied_and_refilled,
}


@pytest.mark.parametrize("rewrite", list(REWRITES))
def test_a_rewrite_that_fools_the_chain_is_caught_by_a_checkpoint(history, rewrite):
    drop_append_only_triggers()
    forged = REWRITES[rewrite](all_events())
    kept = [event.id for event in forged]
    db.session.execute(delete(AuditEvent).where(AuditEvent.id.not_in(kept)))
    rechain(forged)
    db.session.flush()
    assert verify_chain().ok  # the chain alone is fooled
    assert not verify_against(history).ok


def test_an_untouched_log_extends_its_checkpoint(history, make):
    make.department()
    assert verify_against(history).ok


def test_a_forged_checkpoint_is_refused(history):
    assert not verify_against({**history, "seq": history["seq"] - 1}).ok


def test_truncate_is_refused_on_postgresql(history):
    if db.session.get_bind().dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's; SQLite has only DELETE, which the triggers refuse")
    with pytest.raises(DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(text("TRUNCATE audit_events"))


def test_a_decision_changed_behind_the_logs_back_is_caught(history):
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("DROP TRIGGER decisions_are_final ON decisions"))
    else:
        db.session.execute(text("DROP TRIGGER decisions_no_update"))
    db.session.execute(update(Decision).values(outcome="reject"))
    assert check_decisions() != [] and check_votes() == [] and check_versions() == []


def test_the_records_of_a_real_history_agree_with_the_log(history):
    assert (check_decisions(), check_votes(), check_versions()) == ([], [], [])


def test_the_checkpoint_and_verify_commands(app, history, tmp_path):
    runner = app.test_cli_runner()
    target = tmp_path / "checkpoint.json"
    taken = runner.invoke(args=["audit", "checkpoint", "-o", str(target)])
    checked = runner.invoke(args=["audit", "verify", "--checkpoint", str(target)])
    assert taken.exit_code == 0 and json.loads(target.read_text())["seq"] > 0
    assert checked.exit_code == 0, checked.output
    assert "extends the checkpoint" in checked.output
