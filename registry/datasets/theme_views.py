"""The coordinator's page for the city's themes: the list with how many records have each, a
form to add one, and a button to remove one no record has."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from registry.datasets import themes as service
from registry.errors import Conflict
from registry.extensions import db
from registry.permissions import Permission
from registry.validation import form_to_dict
from registry.web.access import require_permission
from registry.web.forms import refused_as

theme_pages = Blueprint("themes", __name__)


def _page(form: dict, errors: dict | None = None):
    return render_template(
        "datasets/themes.html", themes=service.themes_in_use(), form=form, errors=errors
    )


@theme_pages.get("/admin/themes")
@require_permission(Permission.PROGRAM_MANAGE)
def theme_list():
    return _page({})


@theme_pages.post("/admin/themes")
@require_permission(Permission.PROGRAM_MANAGE)
def add():
    form = form_to_dict(request.form)
    with refused_as(lambda errors: _page(form, errors)):
        theme = service.add_theme(form, actor=current_user)
    db.session.commit()
    flash(f"Theme “{theme.name}” added: stewards can choose it now.", "success")
    return redirect(url_for("themes.theme_list"))


@theme_pages.post("/admin/themes/<int:theme_id>/remove")
@require_permission(Permission.PROGRAM_MANAGE)
def remove(theme_id: int):
    try:
        name = service.remove_theme(theme_id, actor=current_user)
    except Conflict as refused:
        db.session.rollback()
        flash(refused.message, "danger")
        return redirect(url_for("themes.theme_list"))
    db.session.commit()
    flash(f"Theme “{name}” removed.", "success")
    return redirect(url_for("themes.theme_list"))
