"""Backup and restore as a round trip: every record, version, decision and audit event comes
back, and the chain verifies. On a database of its own, since both commit for real."""

import shutil

import pytest
from sqlalchemy import func, select

from registry.audit.models import AuditEvent
from registry.audit.services import verify_chain
from registry.datasets.models import Dataset, DatasetVersion
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
    empty = scratch_app(_skip_upgrade=True)

    restored = run(empty, "restore", str(target))

    with empty.app_context():
        after, report = counts(), verify_chain()
    assert backed_up.exit_code == 0, backed_up.output
    assert restored.exit_code == 0, restored.output
    assert (after, report.ok) == (before, True)
    assert before["Decision"] == 1 and before["AuditEvent"] > 10


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
