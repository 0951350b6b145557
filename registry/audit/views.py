"""The audit log browser for auditors and coordinators."""

from flask import Blueprint, render_template, request
from marshmallow import ValidationError

from registry.audit.schemas import load_event_filter
from registry.audit.services import EventFilter, event_query
from registry.audit.tags import Tag
from registry.http import paginate, require_permission
from registry.permissions import Permission

audit = Blueprint("audit", __name__, url_prefix="/audit")


@audit.get("")
@require_permission(Permission.AUDIT_READ)
def events():
    errors = {}
    try:
        criteria = load_event_filter(request.args)
    except ValidationError as exc:
        errors, criteria = exc.messages, EventFilter()
    page = paginate(event_query(criteria))
    return render_template(
        "audit/events.html",
        page=page,
        filters=request.args,
        errors=errors,
        tags=sorted(Tag),
    ), (422 if errors else 200)
