"""The audit log browser for auditors and coordinators: the log in words with its filters, its
exports (CSV and JSON Lines, each with its SHA-256, themselves audited), and the verification
of the whole log run in the background."""

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from marshmallow import ValidationError

from registry.audit import runs
from registry.audit.checkpoints import current_head
from registry.audit.exports import EXPORT_FORMATS, write_log
from registry.audit.schemas import load_event_filter
from registry.audit.services import EventFilter, event_query
from registry.audit.tags import Tag, tag_label
from registry.audit.words import describe
from registry.background import runner
from registry.extensions import db
from registry.permissions import Permission
from registry.web.access import record_read, require_permission
from registry.web.forms import refused_as
from registry.web.paging import paginate

audit = Blueprint("audit", __name__, url_prefix="/audit")


def _criteria() -> tuple[EventFilter, dict]:
    try:
        return load_event_filter(request.args), {}
    except ValidationError as exc:
        return EventFilter(), exc.messages


@audit.get("")
@require_permission(Permission.AUDIT_READ)
def events():
    criteria, errors = _criteria()
    page = paginate(event_query(criteria))
    record_read(Tag.AUDIT_READ, details={"filters": request.args.to_dict(), "via": "page"})
    return render_template(
        "audit/events.html",
        page=page,
        lines=describe(list(page.items), current_user),
        filters=request.args,
        errors=errors,
        tags=sorted(Tag, key=tag_label),
        tag_label=tag_label,
        formats=EXPORT_FORMATS,
    ), (422 if errors else 200)


@audit.get("/export.<any(csv, jsonl):extension>")
@require_permission(Permission.AUDIT_READ)
def export(extension: str):
    """The events the filters select, oldest first, as a file whose SHA-256 the answer and the
    audit log both carry: what an auditor took away can be checked later."""
    criteria, errors = _criteria()
    if errors:
        raise ValidationError(errors)
    written = write_log(criteria, current_user, extension)
    sha256, count = written.sha256, written.events
    record_read(
        Tag.AUDIT_EXPORT,
        details={
            "format": extension,
            "filters": request.args.to_dict(),
            "events": count,
            "sha256": sha256,
        },
    )
    head = current_head()
    response = send_file(
        written.file,
        mimetype=EXPORT_FORMATS[extension],
        as_attachment=True,
        download_name=f"audit-log-{head.at:%Y-%m-%d}.{extension}",
        max_age=0,
    )
    response.headers["X-Content-SHA256"] = sha256
    response.headers["X-Audit-Head"] = f"{head.seq} {head.hash}"
    return response


@audit.route("/verify", methods=["GET", "POST"])
@require_permission(Permission.AUDIT_READ)
def verify():
    """Verify the whole log in the background: the chain, the records against their events,
    and a checkpoint the auditor holds, if they give one."""
    if request.method == "GET":
        return _verify_page()
    upload = request.files.get("checkpoint")
    checkpoint = name = None
    with refused_as(lambda errors: _verify_page(errors=errors)):
        if upload is not None and upload.filename:
            name = upload.filename
            checkpoint = runs.read_checkpoint(name, upload.read(256 * 1024))
    run = runs.start_verification(current_user, checkpoint=checkpoint, name=name)
    db.session.commit()
    runner().submit(runs.run_verification, run.id)
    return redirect(url_for("audit.verification", run_id=run.id))


def _verify_page(errors=None):
    return render_template(
        "audit/verify.html",
        recent=runs.recent_runs(),
        labels=runs.STATUS_LABELS,
        errors=errors,
        is_lost=runs.is_lost,
    )


@audit.get("/verify/<int:run_id>")
@require_permission(Permission.AUDIT_READ)
def verification(run_id: int):
    run = runs.get_run(run_id)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(
            status=run.status,
            label=runs.STATUS_LABELS[run.status],
            rows_written=run.done,
            rows_expected=run.total,
            step=run.step,
        )
    if runs.is_lost(run):
        flash("This verification stopped without finishing. Start it again.", "warning")
    return render_template("audit/verification.html", run=run, labels=runs.STATUS_LABELS)


@audit.get("/head")
def head():
    """Public: the newest event's number and hash, for anyone (auditors, journalists) to note
    down. A log rewritten later no longer reaches what they noted (audit.checkpoints)."""
    return render_template("audit/head.html", head=current_head())
