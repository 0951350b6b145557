"""Stock-take meetings' pages: which department and month, then that month's agenda, with the
form that records the meeting (or, once held, what it recorded)."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from registry.accounts.models import Department
from registry.db import utctoday
from registry.errors import PermissionDenied
from registry.extensions import db
from registry.performance import stocktakes
from registry.performance.rules import STATUS_LABELS, written
from registry.permissions import Permission, has_permission
from registry.validation import form_to_dict
from registry.web.access import require_signed_in
from registry.web.forms import refused_as
from registry.web.paging import paginate

stock_take_pages = Blueprint("stock_takes", __name__)


def _departments():
    """The departments whose stock-takes this person may read."""
    query = select(Department).order_by(Department.name)
    if not (
        has_permission(current_user, Permission.PROGRAM_MANAGE)
        or has_permission(current_user, Permission.AUDIT_READ)
    ):
        query = query.where(Department.id.in_([d.id for d in current_user.departments]))
    return list(db.session.scalars(query))


@stock_take_pages.get("/performance/stock-takes")
@require_signed_in
def index():
    departments = _departments()
    if not departments:
        raise PermissionDenied(
            "Stock-takes are for departments' stewards, the coordinator and auditors."
        )
    chosen = request.args.get("department")
    month = request.args.get("month")
    if chosen and month:
        return redirect(url_for(".agenda_page", code=chosen, month=month[:7]))
    return render_template(
        "performance/stock_takes.html",
        departments=departments,
        this_month=utctoday().isoformat()[:7],
        recorded=paginate(stocktakes.recorded([department.id for department in departments])),
    )


def _agenda_page(code: str, month: str, errors=None, form=None):
    department = stocktakes.department_of(code, current_user)
    found = stocktakes.agenda(department, stocktakes.month_of(month), current_user)
    return render_template(
        "performance/stock_take.html",
        agenda=found,
        may_record=stocktakes.can_keep_measure(current_user, department.id),
        errors=errors,
        form=form or {},
        status_labels=STATUS_LABELS,
        written=written,
        today=utctoday(),
    )


@stock_take_pages.get("/performance/stock-takes/<code>/<month>")
@require_signed_in
def agenda_page(code: str, month: str):
    return _agenda_page(code, month)


@stock_take_pages.post("/performance/stock-takes/<code>/<month>")
@require_signed_in
def record(code: str, month: str):
    department = stocktakes.department_of(code, current_user)
    form = form_to_dict(request.form, lists=("close",))
    with refused_as(lambda errors: _agenda_page(code, month, errors, form)):
        meeting = stocktakes.record_stock_take(
            department, stocktakes.month_of(month), form, actor=current_user
        )
    db.session.commit()
    flash(f"The stock-take of {meeting.held_on} is recorded.", "success")
    return redirect(url_for(".agenda_page", code=department.code, month=month))
