"""Audit endpoints of the JSON API: the filtered, paginated event log."""

from flask import Blueprint, jsonify, request

from registry.api.operations import operation
from registry.audit.checkpoints import current_head
from registry.audit.schemas import AuditHeadOut, AuditPageOut, EventFilterIn, load_event_filter
from registry.audit.services import event_query
from registry.audit.tags import Tag
from registry.permissions import Permission
from registry.web.access import record_read, require_permission
from registry.web.paging import paginate


@operation(
    "The audit log, newest first (auditors and coordinators)",
    ok=(200, "One page", AuditPageOut),
    errors=(403, 422),
    query=EventFilterIn,
    signed_in=True,
)
@require_permission(Permission.AUDIT_READ)
def audit_events():
    page = paginate(event_query(load_event_filter(request.args)))
    record_read(Tag.AUDIT_READ, details={"filters": request.args.to_dict(), "via": "api"})
    return jsonify(AuditPageOut().dump(page))


@operation(
    "The audit log's newest event number and hash, for anyone to keep",
    ok=(200, "The head", AuditHeadOut),
)
def audit_head():
    """Public: the audit log's head, to keep a copy of (see /audit/head)."""
    head = current_head()
    return jsonify(seq=head.seq, hash=head.hash, at=head.at.isoformat(timespec="seconds"))


def register(api: Blueprint) -> None:
    api.add_url_rule("/audit", view_func=audit_events, methods=["GET"])
    api.add_url_rule("/audit/head", view_func=audit_head, methods=["GET"])
