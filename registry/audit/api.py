"""Audit endpoints of the JSON API: the filtered, paginated event log."""

from flask import Blueprint, jsonify, request

from registry.audit.schemas import AuditEventOut, load_event_filter
from registry.audit.services import event_query
from registry.http import paginate, require_permission
from registry.permissions import Permission


@require_permission(Permission.AUDIT_READ)
def audit_events():
    page = paginate(event_query(load_event_filter(request.args)))
    return jsonify(
        items=AuditEventOut(many=True).dump(page.items),
        total=page.total,
        page=page.page,
        per_page=page.per_page,
    )


def register(api: Blueprint) -> None:
    api.add_url_rule("/audit", view_func=audit_events, methods=["GET"])
