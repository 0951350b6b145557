"""Verifications of the whole audit log asked for from the browser: the same verification as
`registry audit verify` (audit.verification), run in the background with its progress written
step by step, against a checkpoint the auditor holds if they give one, and itself audited."""

import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select, update

from registry.audit.checkpoints import current_head
from registry.audit.models import VerificationRun
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.audit.verification import verify_everything
from registry.background import shares_transaction, write_progress
from registry.db import reading_only, utcnow
from registry.errors import NotFound
from registry.extensions import db
from registry.validation import raise_for

STATUS_LABELS = {
    "queued": "Waiting to start",
    "running": "Verifying",
    "done": "Verified",
    "failed": "Could not finish",
}
# A run whose progress has not moved for this long was lost with its process.
STALE = timedelta(minutes=10)


def read_checkpoint(name: str, content: bytes) -> dict[str, Any]:
    """A checkpoint file as `registry audit checkpoint` writes it; anything else is refused
    with what to give instead."""
    try:
        body = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        body = None
    if not isinstance(body, dict) or "seq" not in body or "signature" not in body:
        raise_for(
            {
                "checkpoint": [
                    f"{name} is not a checkpoint file: give the JSON file that "
                    "`registry audit checkpoint` wrote, or none."
                ]
            }
        )
    return body


def start_verification(
    actor, *, checkpoint: dict[str, Any] | None = None, name: str | None = None
) -> VerificationRun:
    """A run waiting to start; the caller commits, then submits run_verification."""
    run = VerificationRun(
        user_id=actor.id,
        requested_by=actor.email,
        checkpoint=checkpoint,
        checkpoint_name=(name or "checkpoint.json")[:255] if checkpoint else None,
        problems=[],
        confirmed=[],
    )
    db.session.add(run)
    db.session.flush()
    return run


def get_run(run_id: int) -> VerificationRun:
    run = db.session.get(VerificationRun, run_id)
    if run is None:
        raise NotFound("There is no such verification.")
    return run


def recent_runs(limit: int = 10) -> list[VerificationRun]:
    query = select(VerificationRun).order_by(VerificationRun.id.desc()).limit(limit)
    return list(db.session.scalars(query))


def is_lost(run: VerificationRun) -> bool:
    return run.status in ("queued", "running") and utcnow() - run.heartbeat_at > STALE


def _set(run_id: int, *, only_if: str | None = None, **values) -> int:
    """Progress in a short transaction of its own (seen while the verification reads on), or
    in the asker's when the job runs inline."""
    statement = (
        update(VerificationRun)
        .where(VerificationRun.id == run_id)
        .values(heartbeat_at=utcnow(), **values)
    )
    if only_if is not None:
        statement = statement.where(VerificationRun.status == only_if)
    return write_progress(statement)


def run_verification(run_id: int) -> None:
    """The background task: claims the run once, verifies while only reading (on SQLite it
    never holds the write lock meanwhile), then records the result and its audit event."""
    if not _set(run_id, only_if="queued", status="running"):
        return  # claimed already, or gone

    def progress(step: str, done: int, total: int) -> None:
        _set(run_id, step=f"Checking {step}", done=done, total=total)

    try:
        with reading_only():
            run = get_run(run_id)
            checkpoints = [(run.checkpoint_name, run.checkpoint)] if run.checkpoint else []
            head = current_head()
            result = verify_everything(checkpoints, progress=progress)
            if not shares_transaction():
                db.session.rollback()  # end the read before the result is written
    except Exception as exc:
        db.session.rollback()
        _set(run_id, status="failed", step=f"Stopped: {type(exc).__name__}", finished_at=utcnow())
        raise
    run = get_run(run_id)
    run.status, run.step, run.finished_at = "done", None, utcnow()
    run.checked, run.head_seq, run.head_hash = result.checked, head.seq, head.hash
    run.problems, run.confirmed = result.problems, result.confirmed
    run.done = run.total
    record_event(
        Tag.AUDIT_VERIFY,
        actor=SimpleNamespace(id=run.user_id, email=run.requested_by),
        subject_type="verification",
        subject_id=run.id,
        details={
            "ok": result.ok,
            "checked": result.checked,
            "problems": len(result.problems),
            "checkpoint_seq": run.checkpoint.get("seq") if run.checkpoint else None,
        },
    )
    db.session.commit()
