"""The portals and the drift in the JSON API, for the coordinator and auditors."""

from flask import Blueprint, jsonify
from flask_login import current_user

from registry.api.operations import operation
from registry.extensions import db
from registry.permissions import Permission
from registry.portal.actions import ImportIn, SettleIn, import_entry, settle
from registry.portal.drift import differences, drift
from registry.portal.reconcile import list_sources
from registry.portal.schemas import DriftOut, ImportedOut, SettledOut, SourceListOut
from registry.web.access import require_permission
from registry.web.requests import json_body


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


@operation(
    "Add a dataset released straight to a portal to the registry, as released (coordinators)",
    ok=(201, "Registered", ImportedOut),
    errors=(403, 404, 422),
    body=ImportIn,
    signed_in=True,
)
@require_permission(Permission.PROGRAM_MANAGE)
def import_portal_dataset(entry_id: int):
    identifier = import_entry(entry_id, json_body(), actor=current_user)
    db.session.commit()
    return jsonify(ImportedOut().dump({"record": identifier, "portal_dataset": entry_id})), 201


@operation(
    "Settle a difference: take the portal's value into the record, or keep the registry's",
    ok=(200, "Settled", SettledOut),
    errors=(403, 404, 409, 422),
    body=SettleIn,
    signed_in=True,
)
@require_permission(Permission.PROGRAM_MANAGE)
def settle_difference(entry_id: int):
    entry = settle(entry_id, json_body(), actor=current_user)
    db.session.commit()
    body = {
        "record": entry.dataset.identifier,
        "version": entry.dataset.version,
        "still_differs": differences(entry, entry.dataset),
    }
    return jsonify(SettledOut().dump(body))


def register(api: Blueprint) -> None:
    api.add_url_rule("/portal/sources", view_func=sources, methods=["GET"])
    api.add_url_rule("/portal/drift", view_func=drift_now, methods=["GET"])
    api.add_url_rule(
        "/portal/datasets/<int:entry_id>/import",
        view_func=import_portal_dataset,
        methods=["POST"],
    )
    api.add_url_rule(
        "/portal/datasets/<int:entry_id>/settle", view_func=settle_difference, methods=["POST"]
    )
