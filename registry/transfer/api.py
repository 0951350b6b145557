"""Export endpoints of the JSON API, for auditors' scripts and harvesters with a token: the same
files, scopes, department and dates as the pages' exports, a scope the reader may not use
refused (403), each export audited with its SHA-256. Answered at once, however large (a script
can wait; the pages prepare large ones in the background)."""

from flask import Blueprint
from flask_login import current_user

from registry.api.operations import TOKEN_OPTIONAL, answer, operation
from registry.datasets.queries import Scope
from registry.transfer.delivery import deliver, export_query
from registry.transfer.exports import ExportRequest, produce
from registry.web.links import base_url
from registry.web.requests import writes_on_read

EXPORT_QUERY = [
    {
        "in": "query",
        "name": "scope",
        "schema": {"type": "string", "enum": [str(scope) for scope in Scope]},
        "description": "What to include; full is for coordinators and auditors (403 otherwise).",
    },
    {"in": "query", "name": "department", "schema": {"type": "string"}},
    {
        "in": "query",
        "name": "as_of",
        "schema": {"type": "string", "format": "date"},
        "description": "The inventory as that day ended, read by today's restrictions.",
    },
]
FILE_HEADERS = {
    "X-Content-SHA256": {
        "description": "The file's SHA-256, as the audit log keeps it.",
        "schema": {"type": "string"},
    },
    "X-Audit-Head": {
        "description": "The audit log's head when the file was made: its number and hash.",
        "schema": {"type": "string"},
    },
}
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@operation(
    "The inventory as an XLSX workbook or a CSV file, in a scope",
    ok=(
        200,
        "The file",
        answer(
            "The file",
            headers=FILE_HEADERS,
            content={
                SPREADSHEET: {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        ),
    ),
    errors=(403, 404, 422),
    security=TOKEN_OPTIONAL,
    parameters=EXPORT_QUERY,
)
@writes_on_read
def export_inventory(extension: str):
    query = export_query()
    request_ = ExportRequest(extension, query["scope"], query["department"], query["as_of"])
    return deliver(produce(request_, current_user))


@operation(
    "The public catalog as DCAT-US v1.1 data.json, now or as of a day",
    ok=(200, "The catalog", answer("The catalog", {"type": "object"}, headers=FILE_HEADERS)),
    errors=(422,),
    security=TOKEN_OPTIONAL,
    parameters=EXPORT_QUERY[1:],
)
@writes_on_read
def export_datajson():
    query = export_query()
    request_ = ExportRequest("datajson", Scope.PUBLIC, query["department"], query["as_of"])
    return deliver(produce(request_, current_user, base_url=base_url()))


def register(api: Blueprint) -> None:
    api.add_url_rule(
        "/exports/inventory.<any(xlsx, csv):extension>",
        view_func=export_inventory,
        methods=["GET"],
    )
    api.add_url_rule("/exports/data.json", view_func=export_datajson, methods=["GET"])
