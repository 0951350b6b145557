"""Exports in the browser and the public catalog at /data.json (imports: transfer.import_views)."""

import hashlib
from datetime import UTC, datetime, time

from flask import (
    Blueprint,
    current_app,
    make_response,
    render_template,
    request,
    send_file,
)
from flask_login import current_user
from sqlalchemy import func, select

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
from registry.db import utctoday
from registry.extensions import db
from registry.transfer.delivery import deliver, export_query
from registry.transfer.export_job_views import prepare_page
from registry.transfer.exports import ExportRequest, department_emails, produce
from registry.transfer.jobs import STATUS_LABELS, expected_rows, jobs_of
from registry.transfer.rendered import stamp as naming_stamp
from registry.web.forms import refused_as
from registry.web.links import base_url
from registry.web.requests import writes_on_read

transfer = Blueprint("transfer", __name__)

SCOPE_NAMES = {
    Scope.PUBLIC: "Published datasets",
    Scope.APPROVED: "Approved for release",
    Scope.INVENTORY: "Everything you may read",
    Scope.FULL: "The full inventory",
}


@transfer.get("/exports")
def exports():
    return _exports_page()


def _exports_page(errors: dict | None = None, asked=None) -> str:
    """The exports page; with `errors`, again with what was asked and what is wrong with it."""
    scopes = [scope for scope in Scope if may_use_scope(scope, current_user)]
    return render_template(
        "transfer/exports.html",
        errors=errors,
        asked=asked or {},
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
    with refused_as(lambda errors: _exports_page(errors, request.args)):
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
    with refused_as(lambda errors: _exports_page(errors, request.args)):
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


@transfer.get("/exports/catalog.jsonld")
@writes_on_read
def export_dcat3():
    """The public catalog in DCAT-US 3.0 JSON-LD as of a date, as a file, audited."""
    with refused_as(lambda errors: _exports_page(errors, request.args)):
        query = export_query()
    request_ = ExportRequest("dcat3", Scope.PUBLIC, query["department"], query["as_of"])
    return _background(request_) or deliver(produce(request_, current_user, base_url=base_url()))


@transfer.get("/data.json")
def data_json():
    """The city's public catalog for harvesters (DCAT-US v1.1)."""
    return _public_catalog("datajson", "application/json")


@transfer.get("/catalog.jsonld")
def catalog_jsonld():
    """The same catalog in DCAT-US 3.0 JSON-LD (transfer.dcat3)."""
    return _public_catalog("dcat3", "application/ld+json")


def _public_catalog(format_: str, mimetype: str):
    """A conditional GET answers 304 without writing anything; the ETag follows every change
    to a published record and to the names of departments, the address, the day when a period
    runs up to it, and the format."""
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
    marks = f"{state[0]}|{state[1]}|{state[2]}|{naming_stamp()}|{base_url()}|{today}|{format_}"
    if format_ == "dcat3":  # its contacts fall back to departments' and the program's address
        marks += f"|{sorted(department_emails().items())}|{current_app.config['OPEN_DATA_EMAIL']}"
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
        produced = produce(ExportRequest(format_, Scope.PUBLIC), None, base_url=base_url())
        response = send_file(produced.file, mimetype=mimetype, max_age=300)
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
