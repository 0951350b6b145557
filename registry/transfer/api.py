"""Export endpoints of the JSON API, for auditors' scripts and harvesters with a token: the same
files, scopes, department and dates as the pages' exports, a scope the reader may not use
refused (403), each export audited with its SHA-256. Answered at once, however large (a script
can wait; the pages prepare large ones in the background)."""

from flask import Blueprint
from flask_login import current_user

from registry.datasets.queries import Scope
from registry.transfer.delivery import deliver, export_query
from registry.transfer.exports import ExportRequest, produce
from registry.web.links import base_url
from registry.web.requests import writes_on_read


@writes_on_read
def export_inventory(extension: str):
    query = export_query()
    request_ = ExportRequest(extension, query["scope"], query["department"], query["as_of"])
    return deliver(produce(request_, current_user))


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
