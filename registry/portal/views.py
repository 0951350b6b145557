"""/portal: the city's portals set against the registry, for the coordinator (who registers
portals, reads them now and confirms uncertain matches) and auditors (who read it)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from registry.accounts.models import Department
from registry.datasets.vocab import UPDATE_FREQUENCIES
from registry.extensions import db
from registry.permissions import Permission, has_permission
from registry.portal.actions import FIELD_WORDS, import_entry, settle
from registry.portal.drift import drift
from registry.portal.freshness import PERIOD_DAYS, grace
from registry.portal.models import KINDS
from registry.portal.reconcile import add_source, check_source, confirm_match, get_source
from registry.validation import form_to_dict
from registry.web.access import require_permission
from registry.web.forms import refused_as, refused_back_to

portal_pages = Blueprint("portal", __name__)

SHOWN = 50  # rows of each list on the page; the API gives every one


def _page(errors=None, form=None):
    thresholds = [
        (UPDATE_FREQUENCIES[code], days, days + grace(days), 2 * days + grace(days))
        for code, days in PERIOD_DAYS.items()
    ]
    return render_template(
        "portal/portal.html",
        drift=drift(),
        kinds=KINDS,
        shown=SHOWN,
        thresholds=thresholds,
        errors=errors,
        form=form or {},
        may_manage=has_permission(current_user, Permission.PROGRAM_MANAGE),
        frequency_labels=UPDATE_FREQUENCIES,
        field_words=FIELD_WORDS,
        departments=db.session.execute(
            select(Department.code, Department.name).order_by(Department.name)
        ).all(),
    )


@portal_pages.get("/portal")
@require_permission(Permission.AUDIT_READ)
def page():
    return _page()


@portal_pages.post("/portal/sources")
@require_permission(Permission.PROGRAM_MANAGE)
def add():
    form = form_to_dict(request.form, flags=("allow_private",))
    with refused_as(lambda errors: _page(errors, form)):
        source = add_source(form, actor=current_user)
    db.session.commit()
    flash(f"The portal {source.url} is registered. Read it now to compare.", "success")
    return redirect(url_for("portal.page"))


@portal_pages.post("/portal/sources/<int:source_id>/check")
@require_permission(Permission.PROGRAM_MANAGE)
def check(source_id: int):
    source = get_source(source_id)
    problem = check_source(source, actor=current_user)
    db.session.commit()
    if problem:
        flash(f"The portal could not be read, and nothing changed: {problem}", "danger")
    else:
        flash(f"The portal was read: {source.last_count} datasets.", "success")
    return redirect(url_for("portal.page"))


@portal_pages.post("/portal/entries/<int:entry_id>/match")
@require_permission(Permission.PROGRAM_MANAGE)
def match(entry_id: int):
    answer = (request.form.get("record") or "").strip()
    with refused_back_to(url_for("portal.page", _anchor="confirm")):
        entry = confirm_match(entry_id, None if answer == "none" else answer, actor=current_user)
    db.session.commit()
    said = f"is the record {answer}" if entry.dataset_id else "is not in the registry"
    flash(f"Kept: the portal's “{entry.title}” {said}.", "success")
    return redirect(url_for("portal.page"))


@portal_pages.post("/portal/entries/<int:entry_id>/import")
@require_permission(Permission.PROGRAM_MANAGE)
def add_to_registry(entry_id: int):
    with refused_back_to(url_for("portal.page", _anchor="elsewhere")):
        identifier = import_entry(entry_id, form_to_dict(request.form), actor=current_user)
    db.session.commit()
    flash(
        f"Added to the registry as released: {identifier}. Its department's stewards can now "
        "complete it (update frequency, themes, steward).",
        "success",
    )
    return redirect(url_for("datasets.show", identifier=identifier))


@portal_pages.post("/portal/entries/<int:entry_id>/settle")
@require_permission(Permission.PROGRAM_MANAGE)
def settle_difference(entry_id: int):
    form = form_to_dict(request.form)
    with refused_back_to(url_for("portal.page", _anchor="differs")):
        entry = settle(entry_id, form, actor=current_user)
    db.session.commit()
    what = FIELD_WORDS[form["field"]]
    if form["side"] == "portal":
        said = f"The record “{entry.dataset.title}” now has the portal's {what}."
    else:
        said = (
            f"Kept the registry's {what} of “{entry.dataset.title}”; the difference is shown "
            "again if the portal's changes. Correct it on the portal."
        )
    flash(said, "success")
    return redirect(url_for("portal.page", _anchor="differs"))
