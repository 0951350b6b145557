"""Backup and restore as a round trip: every record, version, decision and audit event comes
back, and the chain verifies. On a database of its own, since both commit for real."""

import shutil

import pytest
from sqlalchemy import func, inspect, select, update

from registry.audit.models import AuditEvent
from registry.audit.services import verify_chain
from registry.datasets.models import Dataset, DatasetVersion
from registry.derived import generation
from registry.extensions import db
from registry.reviews.models import Decision, Vote
from tests import factories

pytestmark = pytest.mark.own_database

COUNTED = (Dataset, DatasetVersion, Decision, Vote, AuditEvent)


def run(app, *args):
    """As `registry ...` runs a command: inside the app's context."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in COUNTED
    }


@pytest.fixture
def registry_with_history(scratch_app):
    app = scratch_app()
    with app.app_context():
        members = [factories.user("committee") for _ in range(3)]
        dataset = factories.in_committee()
        from registry.reviews.services import cast_vote

        for member in members[:2]:
            cast_vote(dataset, {"vote": "approve", "rationale": "Fine."}, actor=member)
        factories.dataset(classification="restricted")
        db.session.commit()
        before = counts()
    return app, before


def test_backup_and_restore_keep_everything(registry_with_history, scratch_app, tmp_path):
    app, before = registry_with_history
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") and not shutil.which(
        "pg_dump"
    ):
        pytest.skip("pg_dump is not installed")
    target = tmp_path / "registry.backup"
    backed_up = run(app, "backup", "-o", str(target))
    with app.app_context():
        backed_up_at = generation()
    empty = scratch_app(_skip_upgrade=True)

    restored = run(empty, "restore", str(target))

    with empty.app_context():
        after, report = counts(), verify_chain()
        restored_at = generation()
    assert backed_up.exit_code == 0, backed_up.output
    assert restored.exit_code == 0, restored.output
    assert (after, report.ok) == (before, True)
    assert before["Decision"] == 1 and before["AuditEvent"] > 10
    # A restored database's kept answers start afresh: no process can hold one for it.
    assert backed_up_at > 0 and restored_at != backed_up_at


def test_restore_refuses_a_database_that_is_not_empty(registry_with_history, tmp_path):
    app, _ = registry_with_history
    target = tmp_path / "registry.backup"
    run(app, "backup", "-o", str(target))
    result = run(app, "restore", str(target))
    assert result.exit_code != 0 and "empty database" in result.output


def test_backup_never_overwrites_a_file(registry_with_history, tmp_path):
    app, _ = registry_with_history
    target = tmp_path / "exists.backup"
    target.write_text("keep me")
    result = run(app, "backup", "-o", str(target))
    assert result.exit_code != 0 and target.read_text() == "keep me"


def test_a_backup_is_readable_by_its_owner_alone(registry_with_history, tmp_path):
    app, _ = registry_with_history
    target = tmp_path / "registry.backup"
    run(app, "backup", "-o", str(target))
    assert target.stat().st_mode & 0o777 == 0o600


def tables_of(app) -> list[str]:
    with app.app_context():
        return inspect(db.engine).get_table_names()


def tampered_backup(app, tmp_path, *, rehash: bool) -> tuple:
    """A backup of the registry after a decision was edited behind the log's back (and, with
    `rehash`, after the whole log was rewritten to fit it), with a checkpoint taken before."""
    from tests.audit.test_checkpoints import all_events, rechain
    from tests.audit.test_tampering import drop_triggers

    checkpoint = tmp_path / "checkpoint.json"
    run(app, "audit", "checkpoint", "-o", str(checkpoint))
    with app.app_context():
        drop_triggers("decisions")
        db.session.execute(update(Decision).values(conditions="Anything goes."))
        if rehash:
            drop_triggers("audit_events")
            for event in all_events():
                if event.tag == "review:decision:record":
                    event.payload = {
                        **event.payload,
                        "after": {**event.payload["after"], "conditions": "Anything goes."},
                    }
            db.session.flush()
            rechain(all_events())
        db.session.commit()
    target = tmp_path / "tampered.backup"
    run(app, "backup", "-o", str(target))
    return target, checkpoint


def test_a_backup_that_fails_verification_leaves_the_target_untouched(
    registry_with_history, scratch_app, tmp_path
):
    app, _ = registry_with_history
    backup, _ = tampered_backup(app, tmp_path, rehash=False)
    empty = scratch_app(_skip_upgrade=True)

    result = run(empty, "restore", str(backup))

    assert result.exit_code != 0 and "differs from its audit event in conditions" in result.output
    assert "NOT restored" in result.output and tables_of(empty) == []


def test_a_rewritten_and_rehashed_backup_is_refused_against_a_checkpoint(
    registry_with_history, scratch_app, tmp_path
):
    app, _ = registry_with_history
    backup, checkpoint = tampered_backup(app, tmp_path, rehash=True)
    empty = scratch_app(_skip_upgrade=True)

    result = run(empty, "restore", str(backup), "--checkpoint", str(checkpoint))

    assert result.exit_code != 0 and "Against the checkpoint" in result.output
    assert tables_of(empty) == []
