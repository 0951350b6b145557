"""Exports and imports in the browser, and the public catalog at /data.json."""

import hashlib
from datetime import UTC, datetime, time, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from sqlalchemy import delete, func, select

from registry.accounts.services import list_departments
from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.datasets.models import Dataset
from registry.datasets.queries import (
    SCOPE_DESCRIPTIONS,
    Scope,
    check_scope,
    may_use_scope,
    scope_condition,
)
from registry.datasets.schemas import ONGOING
from registry.datasets.vocab import Classification
from registry.db import utcnow, utctoday
from registry.extensions import db
from registry.permissions import Permission, has_permission
from registry.transfer import mapping
from registry.transfer.columns import BY_FIELD
from registry.transfer.delivery import deliver, export_query
from registry.transfer.duplicates import Duplicates
from registry.transfer.exports import ExportRequest, produce
from registry.transfer.headers import match_headers
from registry.transfer.imports import check_can_import, run_import
from registry.transfer.job_views import prepare_page
from registry.transfer.jobs import STATUS_LABELS, expected_rows, jobs_of
from registry.transfer.models import ImportUpload
from registry.transfer.rendered import stamp as naming_stamp
from registry.transfer.workbooks import ImportRefused, read_table
from registry.validation import form_to_dict
from registry.web import accepts_upload, base_url, require_permission, writes_on_read

transfer = Blueprint("transfer", __name__)

# The fields a column of an inventory can fill, for the preview's choices.
IMPORT_FIELDS = [name for name, column in BY_FIELD.items() if column.importable]

SCOPE_NAMES = {
    Scope.PUBLIC: "Published datasets",
    Scope.APPROVED: "Approved for release",
    Scope.INVENTORY: "Everything you may read",
    Scope.FULL: "The full inventory",
}


@transfer.get("/exports")
def exports():
    scopes = [scope for scope in Scope if may_use_scope(scope, current_user)]
    return render_template(
        "transfer/exports.html",
        scopes=scopes,
        scope_names=SCOPE_NAMES,
        scope_descriptions=SCOPE_DESCRIPTIONS,
        departments=list_departments(),
        can_import=_may_import(),
        jobs=jobs_of(current_user) if current_user.is_authenticated else [],
        status_labels=STATUS_LABELS,
    )


@transfer.get("/exports/inventory.<any(xlsx, csv):extension>")
@writes_on_read
def export_inventory(extension: str):
    """A spreadsheet of the scope asked for; a scope the reader may not use is a 403, never a
    quietly smaller file."""
    query = export_query()
    request_ = ExportRequest(extension, query["scope"], query["department"], query["as_of"])
    return _background(request_) or deliver(produce(request_, current_user))


def _background(request_: ExportRequest):
    """A large export asked for by someone signed in is prepared in the background: the
    answer is a page that offers to start it (the scope is checked first, as always)."""
    check_scope(request_.scope, current_user)
    if not current_user.is_authenticated:
        return None
    rows = expected_rows(request_, current_user)
    if rows <= current_app.config["EXPORT_BACKGROUND_ROWS"]:
        return None
    return prepare_page(request_, rows)


@transfer.get("/exports/data.json")
@writes_on_read
def export_datajson():
    """The public catalog as of a date, as a file, audited like every export."""
    query = export_query()
    request_ = ExportRequest("datajson", Scope.PUBLIC, query["department"], query["as_of"])
    return _background(request_) or deliver(produce(request_, current_user, base_url=base_url()))


# Records in the catalog now, or once (retired, or restricted since, they left it).
LAST_RECORD_CHANGE = select(func.max(Dataset.updated_at)).where(
    Dataset.published_on.is_not(None) | scope_condition(Scope.PUBLIC, None)
)
NAMING_TAGS = (str(Tag.DEPARTMENT_CREATE), str(Tag.DEPARTMENT_UPDATE))


def last_naming():
    """When a department was last added or renamed (its name is a publisher's)."""
    return db.session.scalar(
        select(func.max(AuditEvent.occurred_at)).where(AuditEvent.tag.in_(NAMING_TAGS))
    )


@transfer.get("/data.json")
def data_json():
    """The city's public catalog for harvesters (DCAT-US v1.1). A conditional GET answers 304
    without writing anything; its ETag follows every change to a published record and to the
    names of departments."""
    public = scope_condition(Scope.PUBLIC, None)
    state = db.session.execute(
        select(func.count(), func.max(Dataset.updated_at), func.sum(Dataset.version)).where(public)
    ).one()
    # An ongoing period is published as running up to today: the body changes each day.
    ongoing = db.session.scalar(
        select(Dataset.id).where(public, Dataset.temporal.endswith(ONGOING)).limit(1)
    )
    today = utctoday() if ongoing is not None else None
    # The records' versions, the naming of departments the catalog's publishers carry, the
    # address its links start with, and the day when a period runs up to it.
    marks = f"{state[0]}|{state[1]}|{state[2]}|{naming_stamp()}|{base_url()}|{today}"
    etag = hashlib.sha256(marks.encode()).hexdigest()[:32]
    # When the catalog last changed: a released record's change (one leaving the catalog too),
    # or a department's (the publishers' names).
    changed = max(
        (moment for moment in (db.session.scalar(LAST_RECORD_CHANGE), last_naming()) if moment),
        default=None,
    )
    if today is not None:
        midnight = datetime.combine(today, time.min, UTC)
        changed = max(changed, midnight) if changed else midnight
    since = request.if_modified_since
    unchanged_since = (
        since is not None and changed is not None and changed.replace(microsecond=0) <= since
    )
    if etag in request.if_none_match or (not request.if_none_match and unchanged_since):
        response = make_response("", 304)
    else:
        produced = produce(ExportRequest("datajson", Scope.PUBLIC), None, base_url=base_url())
        response = send_file(produced.file, mimetype="application/json", max_age=300)
    response.set_etag(etag)
    if changed is not None:
        response.last_modified = changed
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response


# Imports ---------------------------------------------------------------------------------


def _may_import() -> bool:
    return current_user.is_authenticated and bool(
        {"coordinator", "steward"} & {str(role) for role in current_user.role_set}
    )


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


@transfer.post("/imports")
@require_permission(Permission.DATASET_CREATE)
@accepts_upload
def upload():
    """Step one: the file is checked in a dry run and kept, and the page shows how each column
    was read and what the import would do. Nothing is written to the inventory yet."""
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
    try:
        table = read_table(upload_file.filename, data)
    except ImportRefused as refused:
        return _import_page(form, {"file": [refused.message]}), 422
    coordinating = has_permission(current_user, Permission.PROGRAM_MANAGE)
    unclassified = form.get("unclassified") if coordinating else None
    remembered = mapping.remembered(department)
    options = {
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
    db.session.execute(
        delete(ImportUpload).where(ImportUpload.created_at < utcnow() - timedelta(days=1))
    )
    stored = ImportUpload(
        user_id=current_user.id,
        filename=upload_file.filename[:255],
        department=department,
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        options=options,
    )
    db.session.add(stored)
    db.session.commit()
    return _preview(stored, table)


def _import_options(stored: ImportUpload) -> dict:
    options = stored.options or {}
    return {
        "create_departments": bool(options.get("create_departments")),
        "duplicates": Duplicates(options.get("duplicates") or Duplicates.SKIP),
        "as_published": bool(options.get("as_published")),
        "create_themes": bool(options.get("create_themes")),
        "unclassified": options.get("unclassified"),
        "choices": mapping.Choices.from_json(options.get("choices")),
    }


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
        **_import_options(stored),
    )
    db.session.rollback()
    stored = db.session.get(ImportUpload, upload_id)
    return render_template(
        "transfer/preview.html",
        report=report,
        upload=stored,
        filename=stored.filename,
        fields=IMPORT_FIELDS,
        enumerated=mapping.ENUMERATED,
        remembered=(stored.options or {}).get("remembered"),
    ), (200 if report.ok else 422)


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
    filename, content = stored.filename, stored.content
    db.session.commit()
    table = read_table(filename, content)
    stored = _own_upload(upload_id)
    options = dict(stored.options or {})
    choices = mapping.Choices.from_json(options.get("choices"))
    chosen = mapping.choices_from_form(request.form, table.headers, IMPORT_FIELDS)
    options["choices"] = chosen.over(choices).as_json()
    stored.options = options
    db.session.commit()
    return _preview(stored, table)


@transfer.get("/imports/<int:upload_id>/mapping.txt")
@require_permission(Permission.DATASET_CREATE)
def mapping_file(upload_id: int):
    """The choices settled on in the preview, as a file for `registry import --map-file`."""
    stored = _own_upload(upload_id)
    table = read_table(stored.filename, stored.content)
    choices = mapping.Choices.from_json((stored.options or {}).get("choices"))
    matched = match_headers(table.headers, choices.columns)
    response = make_response("\n".join(mapping.lines_of(choices, matched)) + "\n")
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    name = stored.filename.rsplit(".", 1)[0] or "inventory"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}-mapping.txt"'
    return response


@transfer.post("/imports/<int:upload_id>/confirm")
@require_permission(Permission.DATASET_CREATE)
def confirm(upload_id: int):
    """Step two: the previewed file, imported for real in one transaction; the choices made
    in the preview are remembered for the department's next import."""
    stored = _own_upload(upload_id)
    filename, content = stored.filename, stored.content
    db.session.commit()  # parsed outside any transaction, as in step one
    table = read_table(filename, content)
    stored = db.session.get(ImportUpload, upload_id)
    if stored is None:  # confirmed meanwhile in another tab
        abort(404)
    options = _import_options(stored)
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
        return render_template(
            "transfer/preview.html", report=report, upload=None, filename=filename
        ), 409
    mapping.remember(stored.department, options["choices"], actor=current_user)
    db.session.delete(stored)
    db.session.commit()
    flash(
        f"Imported {filename}: {len(report.created)} created, {len(report.updated)} "
        f"updated, {len(report.unchanged)} unchanged.",
        "success",
    )
    return redirect(url_for("datasets.index"))
