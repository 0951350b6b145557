"""Large inventories from the web, previewed and imported in the background, as large exports
are prepared: the page asks for a job and shows its progress; the job runs where export jobs
run (registry.background) and keeps what it found (a Summary) for the preview page.

A file larger than IMPORT_INLINE_BYTES is never parsed in the request. Its preview is a dry run
in a job; confirming it is another job, whose import is one transaction with the job marked done
in it, so the import and its being done commit together. On SQLite that transaction holds the
write lock throughout, so a job's progress goes to a small file beside the export jobs' files
(`import-<id>.progress`, its modification time the heartbeat) rather than to the database. A
process killed mid-import leaves nothing of it: housekeeping reports the job failed when its
heartbeat stops, and the upload is still there to import again.
"""

import json
import os
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from registry.accounts.models import User
from registry.background import runner, write_progress
from registry.db import utcnow
from registry.errors import DomainError
from registry.extensions import db
from registry.transfer import mapping
from registry.transfer.duplicates import Duplicates
from registry.transfer.imports import check_can_import, run_import
from registry.transfer.jobs import jobs_dir
from registry.transfer.models import ImportJob, ImportUpload
from registry.transfer.summary import Summary
from registry.transfer.workbooks import ImportRefused, read_table

STAGE_WORDS = {"preview": "Checking the file", "import": "Importing"}
STATUS_WORDS = {
    "queued": "Waiting to start",
    "running": "Under way",
    "done": "Done",
    "failed": "Could not finish",
}
LOST = "The registry stopped while working on this file; nothing was imported. Try again."
BEAT_SECONDS = 2.0


def is_large(data_size: int) -> bool:
    return data_size > current_app.config["IMPORT_INLINE_BYTES"]


def import_options(stored: ImportUpload) -> dict:
    """The choices kept with an upload, as run_import takes them."""
    options = stored.options or {}
    return {
        "create_departments": bool(options.get("create_departments")),
        "duplicates": Duplicates(options.get("duplicates") or Duplicates.SKIP),
        "as_published": bool(options.get("as_published")),
        "create_themes": bool(options.get("create_themes")),
        "unclassified": options.get("unclassified"),
        "choices": mapping.Choices.from_json(options.get("choices")),
        "row_choices": {
            int(number): choice for number, choice in (options.get("row_choices") or {}).items()
        },
    }


def start_import_job(stored: ImportUpload, stage: str, actor) -> ImportJob:
    """A job for the upload (the caller commits, then submits it)."""
    job = ImportJob(user_id=actor.id, upload_id=stored.id, filename=stored.filename, stage=stage)
    job.status, job.rows_expected, job.rows_done = "queued", 0, 0
    db.session.add(job)
    db.session.flush()
    return job


def _progress_file(job_id: int):
    return jobs_dir() / f"import-{job_id}.progress"


class _Beat:
    """Writes the job's progress to its file every few seconds (and at once the first time)."""

    def __init__(self, job_id: int) -> None:
        self.path, self.last = _progress_file(job_id), None

    def __call__(self, done: int, total: int) -> None:
        moment = utcnow()
        due = self.last is None or (moment - self.last).total_seconds() >= BEAT_SECONDS
        if due or done >= total:
            self.last = moment
            part = self.path.with_suffix(".part")
            part.write_text(json.dumps({"done": done, "total": total}))
            os.replace(part, self.path)


def progress_of(job: ImportJob) -> tuple[int, int]:
    """(rows done, rows in all) as the job last said."""
    try:
        said = json.loads(_progress_file(job.id).read_text())
        return int(said["done"]), int(said["total"])
    except (OSError, ValueError, KeyError):
        return job.rows_done, job.rows_expected


def _set(job_id: int, *, only_if: str | None = None, **values) -> int:
    statement = update(ImportJob).where(ImportJob.id == job_id).values(**values)
    if only_if is not None:
        statement = statement.where(ImportJob.status == only_if)
    return write_progress(statement)


def run_import_job(job_id: int) -> None:
    """Runs a queued job to its end; a job another runner claimed, or that is over, is left."""
    if not _set(job_id, only_if="queued", status="running", heartbeat_at=utcnow()):
        return
    job = db.session.get(ImportJob, job_id)
    beat = _Beat(job_id)
    try:
        stored = db.session.get(ImportUpload, job.upload_id) if job.upload_id else None
        actor = db.session.get(User, job.user_id)
        if stored is None or actor is None or not actor.active:
            raise DomainError("The file or the account that sent it is gone: upload it again.")
        check_can_import(actor, stored.department)
        department, digest, options = stored.department, stored.sha256, import_options(stored)
        db.session.commit()  # the file is parsed outside any transaction
        table = read_table(stored.filename, stored.content, command_line=True)
        beat(0, len(table.rows))
        report = run_import(
            table,
            actor=actor,
            department=department,
            dry_run=job.stage == "preview",
            digest=digest,
            progress=beat,
            **options,
        )
    except (DomainError, ImportRefused) as refused:
        db.session.rollback()
        _finish(job_id, "failed", error=refused.message)
        return
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Import job %s failed", job_id)
        _finish(job_id, "failed", error=LOST)
        return
    summary = Summary.of(report).as_json()
    if job.stage == "preview" or not report.ok:
        db.session.rollback()
        why = None if report.ok or job.stage == "preview" else "The file has problems now."
        _finish(
            job_id,
            "done" if job.stage == "preview" else "failed",
            summary=summary,
            error=why,
            rows=report.rows,
        )
        return
    # The import and its being done commit together, and with its upload's removal: of two
    # jobs importing one upload, the second finds it gone and imports nothing.
    job = db.session.get(ImportJob, job_id)
    stored = db.session.get(ImportUpload, job.upload_id) if job.upload_id else None
    if stored is None:
        db.session.rollback()
        _finish(job_id, "failed", error="This file was imported already.", summary=summary)
        return
    mapping.remember(department, options["choices"], actor=actor)
    job.status, job.summary, job.finished_at = "done", summary, utcnow()
    job.rows_done = job.rows_expected = report.rows
    db.session.delete(stored)
    db.session.commit()
    _progress_file(job_id).unlink(missing_ok=True)


def _finish(job_id: int, status: str, rows: int | None = None, **values) -> None:
    job = db.session.get(ImportJob, job_id)
    job.status, job.finished_at = status, utcnow()
    for name, value in values.items():
        setattr(job, name, value)
    job.rows_done, job.rows_expected = (rows, rows) if rows is not None else progress_of(job)
    db.session.commit()
    _progress_file(job_id).unlink(missing_ok=True)


def tend_import_jobs() -> int:
    """Housekeeping: a running job whose heartbeat stopped (its process died) is failed; one
    that never started is submitted again. Returns how many it changed."""
    stale = utcnow() - timedelta(seconds=float(current_app.config["EXPORT_JOB_STALE_SECONDS"]))
    changed = 0
    for job in db.session.scalars(select(ImportJob).where(ImportJob.status == "running")):
        try:
            mtime = _progress_file(job.id).stat().st_mtime
            beat = datetime.fromtimestamp(mtime, UTC)
        except OSError:
            beat = job.heartbeat_at
        if beat < stale:
            job.status, job.error, job.finished_at = "failed", LOST, utcnow()
            _progress_file(job.id).unlink(missing_ok=True)
            changed += 1
    waiting = list(
        db.session.scalars(
            select(ImportJob.id).where(ImportJob.status == "queued", ImportJob.created_at < stale)
        )
    )
    db.session.commit()
    for job_id in waiting:
        runner().submit(run_import_job, job_id)
    return changed + len(waiting)
