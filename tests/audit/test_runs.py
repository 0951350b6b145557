"""A verification asked for from the browser runs in a worker thread of its own, on a database
file (or PostgreSQL) with real connections: it reads without holding the write lock, writes its
progress as it goes, and ends with its result and its audit event."""

import time

import pytest
from sqlalchemy import select

from registry.audit import runs
from registry.audit.models import AuditEvent, VerificationRun
from registry.audit.tags import Tag
from registry.background import runner
from registry.db import reading_only
from registry.extensions import db
from tests import factories

pytestmark = pytest.mark.own_database


def test_a_verification_runs_in_the_background_to_its_end(scratch_app):
    app = scratch_app()
    with app.app_context():
        factories.in_committee()
        run = runs.start_verification(factories.user("auditor"))
        db.session.commit()
        run_id = run.id
        runner().submit(runs.run_verification, run_id)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with reading_only():  # as the page that follows it reads: never holding the lock
                status = db.session.scalar(
                    select(VerificationRun.status).where(VerificationRun.id == run_id)
                )
                db.session.rollback()
            if status not in ("queued", "running"):
                break
            time.sleep(0.2)
        db.session.rollback()
        finished = db.session.get(VerificationRun, run_id)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == Tag.AUDIT_VERIFY))
        assert (finished.status, finished.problems, finished.done) == ("done", [], finished.total)
        assert finished.total > 1 and event.payload["ok"] is True
