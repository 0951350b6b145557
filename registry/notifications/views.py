"""The inbox page, and the app's background mail sender."""

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user

from registry.extensions import db
from registry.notifications import services
from registry.notifications.sender import init_mail_sender
from registry.permissions import Permission
from registry.web.access import require_permission
from registry.web.links import safe_next
from registry.web.paging import paginate

notifications = Blueprint("notifications", __name__)


@notifications.get("/inbox")
@require_permission(Permission.ACCOUNT_OWN)
def inbox():
    filters = {
        "unread": request.args.get("unread") == "1",
        "kind": request.args.get("kind") or None,
    }
    page = paginate(services.inbox_query(current_user, **filters))
    return render_template(
        "notifications/inbox.html",
        page=page,
        filters=filters,
        kinds=services.inbox_kinds(current_user),
    )


@notifications.post("/inbox/read")
@require_permission(Permission.ACCOUNT_OWN)
def mark_read():
    """One notification (`id`), or all of them; then on to `next` if it is one of our pages."""
    raw = request.form.get("id", "")
    count = services.mark_read(current_user, int(raw) if raw.isdigit() else None)
    db.session.commit()
    target = safe_next(request.form.get("next"))
    if target:
        return redirect(target)
    flash(f"{count} notification{'' if count == 1 else 's'} marked as read.", "info")
    return redirect(url_for("notifications.inbox"))


def init_mail_delivery(app: Flask) -> None:
    init_mail_sender(app)

    @app.context_processor
    def inbox_badge():
        if current_user.is_authenticated:
            return {"unread_notifications": services.unread_count(current_user)}
        return {"unread_notifications": 0}
