"""Handing an export to whoever asked, for the pages and the API alike: its scope, department and
date read from the query string (a 422 says what is wrong), and the file sent with its SHA-256
and the audit log's head, the export itself audited."""

from flask import request, send_file
from flask_login import current_user

from registry.audit.tags import Tag
from registry.transfer.schemas import ExportQuery
from registry.web.access import record_read


def export_query() -> dict:
    return ExportQuery().load(
        {key: request.args[key] for key in ("scope", "department", "as_of") if key in request.args}
    )


def deliver(produced):
    record_read(Tag.EXPORT, details=produced.audit_details(current_user))
    response = send_file(
        produced.file,
        mimetype=produced.mimetype,
        as_attachment=True,
        download_name=produced.request.filename,
        max_age=0,
    )
    response.headers["X-Content-SHA256"] = produced.sha256
    response.headers["X-Audit-Head"] = f"{produced.head.seq} {produced.head.hash}"
    return response
