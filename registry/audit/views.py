"""The audit log browser for auditors and coordinators."""

from flask import Blueprint, render_template, request, url_for
from marshmallow import ValidationError

from registry.audit.checkpoints import current_head
from registry.audit.schemas import load_event_filter
from registry.audit.services import EventFilter, event_query
from registry.audit.tags import Tag, tag_label
from registry.permissions import Permission
from registry.web import paginate, record_read, require_permission

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
    record_read(Tag.AUDIT_READ, details={"filters": request.args.to_dict(), "via": "page"})
    return render_template(
        "audit/events.html",
        page=page,
        filters=request.args,
        errors=errors,
        tags=sorted(Tag, key=tag_label),
        tag_label=tag_label,
        subject_link=subject_link,
    ), (422 if errors else 200)


# Where each kind of subject is shown, by endpoint name and the argument its id fills.
SUBJECT_PAGES = {
    "dataset": ("datasets.show", "identifier"),
    "user": ("admin.edit_user", "user_id"),
    "department": ("admin.edit_department", "code"),
}


def subject_link(event) -> str | None:
    """The page an event is about; the page itself decides whether this reader may see it."""
    if event.subject_type == "settings":
        return url_for("reviews.settings")
    page = SUBJECT_PAGES.get(event.subject_type or "")
    if page is None or not event.subject_id:
        return None
    if page[1] == "user_id" and not event.subject_id.isdigit():
        return None
    return url_for(page[0], **{page[1]: event.subject_id})


@audit.get("/head")
def head():
    """Public: the newest event's number and hash, for anyone (auditors, journalists) to note
    down. A log rewritten later no longer reaches what they noted (audit.checkpoints)."""
    return render_template("audit/head.html", head=current_head())
