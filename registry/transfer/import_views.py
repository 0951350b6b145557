"""Imports in the browser: the upload, the preview where the person decides how the file is
read, the mapping file, the confirmation, and the jobs that preview and import large files in
the background (transfer.import_jobs). Routes of the transfer blueprint (transfer.views)."""

import hashlib
from datetime import timedelta

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import delete, select

from registry.accounts.services import list_departments
from registry.background import runner
from registry.datasets.vocab import Classification
from registry.db import utcnow
from registry.extensions import db
from registry.permissions import Permission, has_permission
from registry.transfer import import_jobs as jobs
from registry.transfer import mapping
from registry.transfer.columns import BY_FIELD
from registry.transfer.duplicates import Duplicates
from registry.transfer.headers import match_headers
from registry.transfer.imports import check_can_import, run_import
from registry.transfer.models import ImportJob, ImportUpload
from registry.transfer.summary import Summary
from registry.transfer.views import transfer
from registry.transfer.workbooks import ImportRefused, read_table
from registry.validation import form_to_dict
from registry.web.access import require_permission
from registry.web.requests import accepts_upload

# The fields a column of an inventory can fill, for the preview's choices.
IMPORT_FIELDS = [name for name, column in BY_FIELD.items() if column.importable]


def _import_departments():
    if "coordinator" in {str(role) for role in current_user.role_set}:
        return list_departments()
    return [d for d in list_departments() if d.code in current_user.department_codes]


def _may_add_departments() -> bool:
    return has_permission(current_user, Permission.DEPARTMENTS_MANAGE)


@transfer.get("/imports")
@require_permission(Permission.DATASET_CREATE)
def imports():
    return _import_page({})


def _import_page(form: dict, errors: dict | None = None):
    return render_template(
        "transfer/import.html",
        departments=_import_departments(),
        form=form,
        errors=errors,
        may_add_departments=_may_add_departments(),
    )


def _options(form: dict, department: str | None) -> dict:
    coordinating = has_permission(current_user, Permission.PROGRAM_MANAGE)
    unclassified = form.get("unclassified") if coordinating else None
    remembered = mapping.remembered(department)
    return {
        "create_departments": bool(form.get("create_departments")) and _may_add_departments(),
        "duplicates": form.get("duplicates")
        if form.get("duplicates") in set(Duplicates)
        else "skip",
        "as_published": bool(form.get("as_published")) and coordinating,
        "create_themes": bool(form.get("create_themes")) and coordinating,
        "unclassified": unclassified if unclassified in set(Classification) else None,
        "choices": remembered.as_json(),
        "remembered": bool(remembered),
    }


@transfer.post("/imports")
@require_permission(Permission.DATASET_CREATE)
@accepts_upload
def upload():
    """Step one: the file is kept and checked in a dry run (in the background when large),
    and the page shows how each column is read and what the import would do. Nothing is
    written to the inventory yet."""
    form = form_to_dict(request.form)
    department = (form.get("department") or "").upper() or None
    if department is None and "coordinator" not in {str(r) for r in current_user.role_set}:
        own = current_user.department_codes
        department = own[0] if len(own) == 1 else None  # a steward imports into their own
    check_can_import(current_user, department)
    # The file is read outside any transaction: on SQLite this request's transaction holds
    # the write lock, which nobody else should wait on while a file is parsed.
    db.session.commit()
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        return _import_page(form, {"file": ["Choose the spreadsheet to import."]}), 422
    data = upload_file.read()
    table = None
    if not jobs.is_large(len(data)):
        try:
            table = read_table(upload_file.filename, data)
        except ImportRefused as refused:
            return _import_page(form, {"file": [refused.message]}), 422
    db.session.execute(
        delete(ImportUpload).where(ImportUpload.created_at < utcnow() - timedelta(days=1))
    )
    stored = ImportUpload(
        user_id=current_user.id,
        filename=upload_file.filename[:255],
        department=department,
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        options=_options(form, department),
    )
    db.session.add(stored)
    db.session.commit()
    if table is None or len(table.rows) > _inline_rows():
        return _in_background(stored, "preview")
    return _preview(stored, table)


def _inline_rows() -> int:
    return current_app.config["IMPORT_INLINE_ROWS"]


def _in_background(stored: ImportUpload, stage: str):
    job = jobs.start_import_job(stored, stage, current_user)
    db.session.commit()
    runner().submit(jobs.run_import_job, job.id)
    return redirect(url_for("transfer.import_job", job_id=job.id))


def _preview(stored: ImportUpload, table):
    """The dry run of a kept upload with the choices made so far, and the page that shows
    it (the choices can be changed there and the file read again)."""
    upload_id = stored.id
    report = run_import(
        table,
        actor=current_user,
        department=stored.department,
        dry_run=True,
        digest=stored.sha256,
        **jobs.import_options(stored),
    )
    db.session.rollback()
    stored = db.session.get(ImportUpload, upload_id)
    summary = Summary.of(report)
    return _preview_page(stored, summary), (200 if summary.ok else 422)


def _preview_page(stored: ImportUpload | None, summary: Summary, **more):
    return render_template(
        "transfer/preview.html",
        summary=summary,
        upload=stored,
        filename=stored.filename if stored else more.pop("filename", ""),
        fields=IMPORT_FIELDS,
        enumerated=mapping.ENUMERATED,
        remembered=(stored.options or {}).get("remembered") if stored else False,
        **more,
    )


def _own_upload(upload_id: int) -> ImportUpload:
    stored = db.session.get(ImportUpload, upload_id)
    if stored is None or stored.user_id != current_user.id:
        abort(404)
    check_can_import(current_user, stored.department)
    return stored


@transfer.post("/imports/<int:upload_id>/read")
@require_permission(Permission.DATASET_CREATE)
def reread(upload_id: int):
    """The preview's choices (how each column reads, what each unknown value means) kept with
    the upload, and the file read again with them."""
    stored = _own_upload(upload_id)
    table, headers = _table_or_headers(stored)
    stored = _own_upload(upload_id)
    options = dict(stored.options or {})
    choices = mapping.Choices.from_json(options.get("choices"))
    chosen = mapping.choices_from_form(request.form, headers, IMPORT_FIELDS)
    options["choices"] = chosen.over(choices).as_json()
    options["row_choices"] = {
        **(options.get("row_choices") or {}),
        **mapping.row_choices_from_form(request.form),
    }
    stored.options = options
    db.session.commit()
    if table is None or len(table.rows) > _inline_rows():
        return _in_background(stored, "preview")
    return _preview(stored, table)


def _table_or_headers(stored: ImportUpload):
    """(the table, its headers) of a small upload, read now outside any transaction; (None,
    the headers its last background preview found) of a large one, which is never parsed in a
    request."""
    if jobs.is_large(len(stored.content)):
        previewed = db.session.scalar(
            select(ImportJob.summary)
            .where(ImportJob.upload_id == stored.id, ImportJob.summary.is_not(None))
            .order_by(ImportJob.id.desc())
            .limit(1)
        )
        if previewed is None:
            abort(409, "The file is still being checked: wait for its preview.")
        return None, previewed["headers"]
    filename, content = stored.filename, stored.content
    db.session.commit()
    table = read_table(filename, content)
    return table, table.headers


@transfer.get("/imports/<int:upload_id>/mapping.txt")
@require_permission(Permission.DATASET_CREATE)
def mapping_file(upload_id: int):
    """The choices settled on in the preview, as a file for `registry import --map-file`."""
    stored = _own_upload(upload_id)
    _, headers = _table_or_headers(stored)
    choices = mapping.Choices.from_json((stored.options or {}).get("choices"))
    matched = match_headers(headers, choices.columns)
    response = make_response("\n".join(mapping.lines_of(choices, matched)) + "\n")
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    name = stored.filename.rsplit(".", 1)[0] or "inventory"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-mapping.txt"'
    return response


@transfer.post("/imports/<int:upload_id>/confirm")
@require_permission(Permission.DATASET_CREATE)
def confirm(upload_id: int):
    """Step two: the previewed file, imported for real in one transaction (in the background
    when large); the choices made in the preview are remembered for the department."""
    stored = _own_upload(upload_id)
    under_way = db.session.scalar(
        select(ImportJob.id).where(
            ImportJob.upload_id == stored.id,
            ImportJob.stage == "import",
            ImportJob.status.in_(("queued", "running")),
        )
    )
    if under_way is not None:  # confirmed twice: one import, whose page this is
        return redirect(url_for("transfer.import_job", job_id=under_way))
    if jobs.is_large(len(stored.content)):
        return _in_background(stored, "import")
    filename, content = stored.filename, stored.content
    db.session.commit()  # parsed outside any transaction, as in step one
    table = read_table(filename, content)
    stored = db.session.get(ImportUpload, upload_id)
    if stored is None:  # confirmed meanwhile in another tab
        abort(404)
    if len(table.rows) > _inline_rows():
        return _in_background(stored, "import")
    options = jobs.import_options(stored)
    report = run_import(
        table,
        actor=current_user,
        department=stored.department,
        dry_run=False,
        digest=stored.sha256,
        **options,
    )
    if not report.ok:  # the inventory changed since the preview, or the file never read
        db.session.rollback()
        return _preview_page(None, Summary.of(report), filename=filename), 409
    mapping.remember(stored.department, options["choices"], actor=current_user)
    db.session.delete(stored)
    db.session.commit()
    flash(
        f"Imported {filename}: {len(report.created)} created, {len(report.updated)} "
        f"updated, {len(report.unchanged)} unchanged.",
        "success",
    )
    return redirect(url_for("datasets.index"))


def _own_job(job_id: int) -> ImportJob:
    job = db.session.get(ImportJob, job_id)
    if job is None or job.user_id != current_user.id:
        abort(404)  # another person's import is not even said to exist
    return job


@transfer.get("/imports/jobs/<int:job_id>")
@require_permission(Permission.DATASET_CREATE)
def import_job(job_id: int):
    """A background preview or import: its progress while it runs; then the preview (with
    its choices and the confirm button), or what the import did, or why it failed."""
    job = _own_job(job_id)
    stored = db.session.get(ImportUpload, job.upload_id) if job.upload_id else None
    if job.status == "done" and job.stage == "preview" and stored is not None:
        summary = Summary.from_json(job.summary)
        return _preview_page(stored, summary, job=job), (200 if summary.ok else 422)
    done, total = jobs.progress_of(job)
    summary = Summary.from_json(job.summary) if job.summary else None
    return render_template(
        "transfer/import_job.html",
        job=job,
        upload=stored,
        summary=summary,
        done=done,
        total=total,
        stage_words=jobs.STAGE_WORDS[job.stage],
        status_words=jobs.STATUS_WORDS[job.status],
    )


@transfer.get("/imports/jobs/<int:job_id>/status")
@require_permission(Permission.DATASET_CREATE)
def import_job_status(job_id: int):
    """The job's progress for its page, which asks every few seconds while it runs."""
    job = _own_job(job_id)
    done, total = jobs.progress_of(job)
    return jsonify(
        status=job.status,
        label=jobs.STATUS_WORDS[job.status],
        step=jobs.STAGE_WORDS[job.stage],
        rows_written=done,
        rows_expected=total,
        error=job.error,
    )
