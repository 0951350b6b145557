"""Exports prepared in the background: an XLSX of a state-sized inventory takes about a minute
at the library's own speed, longer than a request should be held (and, on SQLite, longer than
an audited request may hold the write lock). A job is asked for from the web, runs elsewhere,
reports its progress, and offers its file to whoever asked once it is whole.

Where it runs is one small interface, `submit(job_id)`: a worker thread in each app process
(the embedded default), RQ on Redis where JOBS_REDIS_URL is set (`registry worker` runs its
workers), or inline, right away in the asking thread (the test suite). Whatever runs it, a job
is claimed once (queued -> running in one UPDATE), writes `<id>.part`, and is `done` only after
the file is whole and renamed into place, in the transaction that audits the export. A process
that dies mid-export leaves a `running` job whose heartbeat stops: housekeeping reports it
failed (and removes the part file); a job still queued when its process died is submitted
again. Nobody is ever offered a truncated file as complete.
"""

import os
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update

from registry.accounts.models import User
from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.background import runner, write_progress
from registry.datasets.models import Dataset
from registry.datasets.queries import Scope, check_scope, department_id_of, scope_condition
from registry.db import reading_only, utcnow
from registry.errors import PermissionDenied
from registry.extensions import db
from registry.transfer.exports import CATALOG_FORMATS, CATALOG_ONLY_PUBLIC, ExportRequest, produce
from registry.transfer.models import ExportJob

STATUS_LABELS = {
    "queued": "Waiting to start",
    "running": "Being prepared",
    "done": "Ready to download",
    "failed": "Could not be prepared",
    "expired": "Expired (prepare it again)",
}
BEAT_SECONDS = 2.0
LOST = "The registry stopped while preparing this file. Prepare it again."


def jobs_dir() -> Path:
    folder = current_app.config.get("EXPORT_JOBS_DIR") or os.path.join(
        current_app.instance_path, "exports"
    )
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def expected_rows(request: ExportRequest, reader) -> int:
    """How many records the export will hold, about (its scope now; an as-of export held
    about as many): what decides whether the web prepares it in the background."""
    query = select(func.count()).select_from(Dataset).where(scope_condition(request.scope, reader))
    if request.department:
        query = query.where(Dataset.department_id == department_id_of(request.department))
    return db.session.scalar(query) or 0


def is_large(request: ExportRequest, reader) -> bool:
    return expected_rows(request, reader) > current_app.config["EXPORT_BACKGROUND_ROWS"]


def request_of(job: ExportJob) -> ExportRequest:
    return ExportRequest(job.format, Scope(job.scope), job.department, job.as_of)


def start_job(request: ExportRequest, actor) -> ExportJob:
    """A job for the export (a scope the asker may not use is refused now, and again when it
    runs and when its file is fetched); the caller commits, then submits it."""
    check_scope(request.scope, actor)
    if request.format in CATALOG_FORMATS and request.scope != Scope.PUBLIC:
        raise ValueError(CATALOG_ONLY_PUBLIC)
    job = ExportJob(
        user_id=actor.id,
        format=request.format,
        scope=str(request.scope),
        department=request.department,
        as_of=request.as_of,
        status="queued",
        rows_expected=expected_rows(request, actor),
        rows_written=0,
        filename=request.filename,
    )
    db.session.add(job)
    db.session.flush()
    return job


def jobs_of(user, limit: int = 10) -> list[ExportJob]:
    return list(
        db.session.scalars(
            select(ExportJob)
            .where(ExportJob.user_id == user.id)
            .order_by(ExportJob.id.desc())
            .limit(limit)
        )
    )


def _set(job_id: int, *, only_if: str | None = None, **values) -> int:
    """Updates a job (if its status is `only_if`, when given) in a short transaction of its
    own, so that its progress is seen while the export's own read goes on; an inline runner
    shares the asker's transaction instead."""
    statement = update(ExportJob).where(ExportJob.id == job_id).values(**values)
    if only_if is not None:
        statement = statement.where(ExportJob.status == only_if)
    return write_progress(statement)


def _part(job_id: int) -> Path:
    return jobs_dir() / f"{job_id}.part"


class _Beat:
    """Reports a job's progress, and that its process lives, every few seconds."""

    def __init__(self, job_id: int) -> None:
        self.job_id, self.last = job_id, utcnow()

    def __call__(self, rows: int) -> None:
        moment = utcnow()
        if (moment - self.last).total_seconds() >= BEAT_SECONDS:
            self.last = moment
            _set(self.job_id, rows_written=rows, heartbeat_at=moment)


def run_job(job_id: int) -> None:
    """Runs a queued job to its end: done with its file in place, or failed saying why. A job
    another runner has claimed, or that is over, is left alone."""
    with reading_only():
        if not _set(job_id, only_if="queued", status="running", heartbeat_at=utcnow()):
            return
        job = db.session.get(ExportJob, job_id)
        reader = db.session.get(User, job.user_id)
        part = _part(job_id)
        try:
            if reader is None or not reader.active:
                raise PermissionError("The account that asked for this export is not active.")
            with part.open("wb") as handle:
                produced = produce(request_of(job), reader, target=handle, progress=_Beat(job_id))
                handle.flush()
                os.fsync(handle.fileno())
        except Exception as exc:
            db.session.rollback()
            part.unlink(missing_ok=True)
            known = isinstance(exc, PermissionError | ValueError | PermissionDenied)
            _set(job_id, status="failed", error=str(exc) if known else LOST, finished_at=utcnow())
            if not known:
                current_app.logger.exception("Export job %s failed", job_id)
            return
        db.session.rollback()  # the export's read ends before its result is recorded
    final = jobs_dir() / f"{job_id}-{produced.sha256[:16]}{Path(job.filename).suffix}"
    os.replace(part, final)  # whole and in place before anyone is told it is ready
    job = db.session.get(ExportJob, job_id)
    keep = timedelta(hours=float(current_app.config["EXPORT_JOB_KEEP_HOURS"]))
    job.status, job.path, job.size, job.sha256 = "done", str(final), produced.size, produced.sha256
    job.rows_written, job.finished_at = produced.rows, utcnow()
    job.expires_at = job.finished_at + keep
    record_event(
        Tag.EXPORT, actor=reader, details={**produced.audit_details(reader), "job": job_id}
    )
    db.session.commit()


def check_download(job: ExportJob, reader) -> None:
    """The file goes only to whoever asked for it, and only while they may still use its
    scope."""
    check_scope(Scope(job.scope), reader)


def tend_jobs() -> int:
    """Housekeeping: reports jobs whose process died failed, submits again those that never
    started, and removes expired files. Returns how many jobs it changed."""
    now = utcnow()
    stale = now - timedelta(seconds=float(current_app.config["EXPORT_JOB_STALE_SECONDS"]))
    changed = 0
    lost = db.session.scalars(
        select(ExportJob).where(ExportJob.status == "running", ExportJob.heartbeat_at < stale)
    ).all()
    for job in lost:
        # Its part file, or a whole one renamed into place just before the process died
        # (never recorded, so never offered).
        for left in (_part(job.id), *jobs_dir().glob(f"{job.id}-*")):
            left.unlink(missing_ok=True)
        job.status, job.error, job.finished_at = "failed", LOST, now
        changed += 1
    expired = db.session.scalars(
        select(ExportJob).where(ExportJob.status == "done", ExportJob.expires_at < now)
    ).all()
    for job in expired:
        if job.path:
            Path(job.path).unlink(missing_ok=True)
        job.status, job.path = "expired", None
        changed += 1
    waiting = db.session.scalars(
        select(ExportJob.id).where(ExportJob.status == "queued", ExportJob.created_at < stale)
    ).all()
    db.session.commit()
    for job_id in waiting:
        runner().submit(run_job, job_id)
    return changed + len(waiting)
