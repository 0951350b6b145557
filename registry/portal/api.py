"""The portals and the drift in the JSON API, for the coordinator and auditors."""

from flask import Blueprint, jsonify

from registry.api.operations import operation
from registry.permissions import Permission
from registry.portal.reconcile import drift, list_sources
from registry.portal.schemas import DriftOut, SourceListOut
from registry.web.access import require_permission


@operation(
    "The city's portals the registry reads, and how each last reading went",
    ok=(200, "The portals", SourceListOut),
    errors=(403,),
    signed_in=True,
)
@require_permission(Permission.AUDIT_READ)
def sources():
    return jsonify(SourceListOut().dump({"items": list_sources()}))


@operation(
    "What differs between the registry and its portals, and each released dataset's freshness",
    ok=(200, "The drift", DriftOut),
    errors=(403,),
    signed_in=True,
)
@require_permission(Permission.AUDIT_READ)
def drift_now():
    return jsonify(DriftOut().dump(drift()))


def register(api: Blueprint) -> None:
    api.add_url_rule("/portal/sources", view_func=sources, methods=["GET"])
    api.add_url_rule("/portal/drift", view_func=drift_now, methods=["GET"])
