"""Exports prepared in the background, in the browser: asking for one (a form, since it writes),
its page with its progress, and its file once ready, authorized and audited like any export."""

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from registry.audit.tags import Tag
from registry.background import runner
from registry.datasets.queries import SCOPE_DESCRIPTIONS, Scope
from registry.extensions import db
from registry.transfer.exports import CATALOG_FORMATS, ExportRequest
from registry.transfer.jobs import STATUS_LABELS, check_download, run_job, start_job
from registry.transfer.models import ExportJob
from registry.transfer.schemas import ExportJobIn
from registry.validation import form_to_dict, load_input
from registry.web.access import record_read
from registry.web.requests import writes_on_read

export_jobs = Blueprint("export_jobs", __name__)

FORMAT_NAMES = {
    "xlsx": "Excel workbook (.xlsx)",
    "csv": "CSV",
    "datajson": "data.json",
    "dcat3": "DCAT-US 3.0 catalog",
}


def prepare_page(export: ExportRequest, rows: int):
    """What a large export from the web answers: a page that offers to prepare it."""
    return render_template(
        "transfer/prepare.html",
        export=export,
        rows=rows,
        format_name=FORMAT_NAMES[export.format],
        scope_description=SCOPE_DESCRIPTIONS[export.scope],
    )


@export_jobs.post("/exports/jobs")
@login_required
def create():
    data, errors = load_input(ExportJobIn(), form_to_dict(request.form))
    if errors:
        flash("That export could not be prepared: " + _first(errors), "danger")
        return redirect(url_for("transfer.exports"))
    scope = Scope.PUBLIC if data["format"] in CATALOG_FORMATS else data["scope"]
    export = ExportRequest(data["format"], scope, data.get("department"), data.get("as_of"))
    job = start_job(export, current_user)
    db.session.commit()
    runner().submit(run_job, job.id)
    flash("Your export was asked for: this page shows where it stands.", "info")
    return redirect(url_for("export_jobs.show", job_id=job.id))


def _first(errors: dict) -> str:
    field, messages = next(iter(errors.items()))
    message = messages[0] if isinstance(messages, list) else str(messages)
    return f"{field.replace('_', ' ')}: {message}"


def _own(job_id: int) -> ExportJob:
    job = db.session.get(ExportJob, job_id)
    if job is None or job.user_id != current_user.id:
        abort(404)  # another person's export is not even said to exist
    return job


@export_jobs.get("/exports/jobs/<int:job_id>")
@login_required
def show(job_id: int):
    job = _own(job_id)
    return render_template(
        "transfer/job.html",
        job=job,
        status_label=STATUS_LABELS[job.status],
        format_name=FORMAT_NAMES[job.format],
        scope_description=SCOPE_DESCRIPTIONS[Scope(job.scope)],
    )


@export_jobs.get("/exports/jobs/<int:job_id>/status")
@login_required
def status(job_id: int):
    """The job's progress for its page, which asks every few seconds while it runs."""
    job = _own(job_id)
    return jsonify(
        status=job.status,
        label=STATUS_LABELS[job.status],
        rows_written=job.rows_written,
        rows_expected=job.rows_expected,
        error=job.error,
    )


@export_jobs.get("/exports/jobs/<int:job_id>/file")
@login_required
@writes_on_read
def download(job_id: int):
    job = _own(job_id)
    check_download(job, current_user)
    if job.status != "done" or not job.path:
        abort(404)
    details = {
        "job": job.id,
        "format": job.format,
        "scope": job.scope,
        "department": job.department,
        "as_of": job.as_of.isoformat() if job.as_of else None,
        "rows": job.rows_written,
        "bytes": job.size,
        "sha256": job.sha256,
        "delivered": "download of a prepared export",
    }
    path, name, digest = job.path, job.filename, job.sha256
    record_read(Tag.EXPORT, details=details)
    response = send_file(path, as_attachment=True, download_name=name, max_age=0)
    response.headers["X-Content-SHA256"] = digest
    return response
