"""Tampering caught wherever it lands: each change an outside probe made to the records behind
the log's back (with the append-only triggers dropped, as a database owner could) is named by
the verification that `registry audit verify` runs, with or without a checkpoint."""

import pytest
from sqlalchemy import delete, select, text, update

from registry.audit.checkpoints import take_checkpoint
from registry.audit.verification import verify_everything
from registry.datasets.models import Dataset, DatasetVersion
from registry.extensions import db
from registry.priorities import rounds
from registry.priorities.models import RoundVote
from registry.reviews.models import Decision, Vote


def drop_triggers(table: str) -> None:
    """What only the database's owner could do."""
    if db.session.get_bind().dialect.name == "postgresql":
        names = db.session.scalars(
            text(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) "
                "AND NOT tgisinternal"
            ),
            {"t": table},
        ).all()
        for name in names:
            db.session.execute(text(f'DROP TRIGGER "{name}" ON {table}'))
    else:
        names = db.session.scalars(
            text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
            {"t": table},
        ).all()
        for name in names:
            db.session.execute(text(f'DROP TRIGGER "{name}"'))


@pytest.fixture
def history(make):
    """A restricted record decided by vote, a public one, and a stakeholder's round vote."""
    from registry.reviews.services import cast_vote

    members = [make.user("committee") for _ in range(3)]
    restricted = make.in_committee(
        classification="restricted", access_level="non-public", rights="Municipal Code 2.14"
    )
    for member in members[:2]:
        cast_vote(restricted, {"vote": "approve", "rationale": "Fine."}, actor=member)
    candidate = make.dataset(title="Street trees")
    voting = make.voting_round()
    rounds.set_votes(voting, candidate.identifier, {"votes": 2}, actor=make.user("stakeholder"))
    db.session.commit()
    return {"restricted": restricted, "candidate": candidate, "checkpoint": take_checkpoint()}


def lower_the_classification(history):
    db.session.execute(
        update(Dataset)
        .where(Dataset.id == history["restricted"].id)
        .values(classification="public", access_level="public")
    )


def delete_the_decision(history):
    drop_triggers("decisions")
    db.session.execute(delete(Decision))


def edit_the_decision(history):
    drop_triggers("decisions")
    db.session.execute(update(Decision).values(conditions="None at all."))


def delete_a_vote(history):
    db.session.execute(delete(Vote).where(Vote.id == db.session.scalar(select(Vote.id).limit(1))))


def delete_a_version(history):
    newest = db.session.scalar(
        select(DatasetVersion.id)
        .where(DatasetVersion.dataset_id == history["restricted"].id)
        .order_by(DatasetVersion.version.desc())
        .limit(1)
    )
    db.session.execute(delete(DatasetVersion).where(DatasetVersion.id == newest))


def edit_a_version_snapshot(history):
    version = db.session.scalar(
        select(DatasetVersion).where(
            DatasetVersion.dataset_id == history["restricted"].id, DatasetVersion.version == 2
        )
    )
    version.snapshot = {**version.snapshot, "title": "Something else"}


def edit_a_transition_snapshot_and_its_changes(history):
    """The careful forger: a workflow step's version, whose changes are not in its event."""
    version = db.session.scalar(
        select(DatasetVersion)
        .where(DatasetVersion.dataset_id == history["restricted"].id)
        .order_by(DatasetVersion.version.desc())
        .limit(1)
    )
    version.snapshot = {**version.snapshot, "rights": None}
    version.changes = {**(version.changes or {}), "rights": {"from": "x", "to": None}}


def delete_a_round_vote(history):
    db.session.execute(delete(RoundVote))


def add_round_votes(history):
    db.session.execute(update(RoundVote).values(votes=3))


TAMPERING = [
    lower_the_classification,
    delete_the_decision,
    edit_the_decision,
    delete_a_vote,
    delete_a_version,
    edit_a_version_snapshot,
    edit_a_transition_snapshot_and_its_changes,
    delete_a_round_vote,
    add_round_votes,
]


@pytest.mark.parametrize("tamper", TAMPERING)
@pytest.mark.parametrize("with_checkpoint", [False, True])
def test_tampering_is_caught(history, tamper, with_checkpoint):
    tamper(history)
    db.session.flush()
    checkpoints = [("checkpoint.json", history["checkpoint"])] if with_checkpoint else []
    result = verify_everything(checkpoints)
    assert result.problems != []


def test_an_untouched_history_verifies(history):
    result = verify_everything([("checkpoint.json", history["checkpoint"])])
    assert (result.problems, len(result.confirmed)) == ([], 2)
