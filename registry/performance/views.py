"""/performance: the city's priorities with their measures against their targets and the data
behind them, for everyone, now or as of a past day; each measure's page; and for the
coordinator and the accountable department's stewards, defining measures and reporting values
(one by one, or a CSV or XLSX of periods and values)."""

import csv
import io

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from registry.accounts.models import Department
from registry.cells import for_csv
from registry.dashboard.schemas import moment_of
from registry.datasets.models import Dataset
from registry.datasets.visibility import readable_by
from registry.db import utcnow
from registry.extensions import db
from registry.performance import board, services, values_file
from registry.performance.models import CityPriority, MeasureValue, MeasureVersion
from registry.performance.permissions import can_keep_measure, can_keep_measures
from registry.performance.rules import (
    DIRECTION_LABELS,
    FREQUENCY_LABELS,
    PERIOD_FORMS,
    STATUS_LABELS,
    STATUS_RULE,
    period_label,
    plain_number,
    written,
)
from registry.permissions import Permission, has_permission
from registry.validation import form_to_dict
from registry.web.access import require_signed_in
from registry.web.forms import refused_as, refused_back_to
from registry.web.paging import paginate

performance_pages = Blueprint("performance", __name__)

WORDS = {
    "status_labels": STATUS_LABELS,
    "status_rule": STATUS_RULE,
    "direction_labels": DIRECTION_LABELS,
    "frequency_labels": FREQUENCY_LABELS,
    "period_forms": PERIOD_FORMS,
    "written": written,
    "trend": board.trend,
    "period_label": period_label,
}


def _board_page(day, moment, errors=None):
    then = None if day is None else moment
    found = paginate(board.measures_query(then))
    return render_template(
        "performance/board.html",
        board=board.board(current_user, moment.date(), then, found),
        page=found,
        as_of=day,
        errors=errors,
        may_define=can_keep_measures(current_user),
        may_stock_take=can_keep_measures(current_user)
        or has_permission(current_user, Permission.AUDIT_READ),
        **WORDS,
    )


@performance_pages.get("/performance")
def page():
    with refused_as(lambda errors: _board_page(None, utcnow(), errors)):
        day, moment = moment_of(request.args)
    return _board_page(day, moment)


@performance_pages.get("/performance.csv")
def board_csv():
    day, moment = moment_of(request.args)
    sheet = io.StringIO()
    writer = csv.writer(sheet)
    writer.writerow(
        [
            "City priority",
            "Measure",
            "Department",
            "Unit",
            "Better",
            "Target",
            "Target date",
            "Period",
            "Value",
            "Status",
            "Datasets",
            "Datasets not shown",
        ]
    )
    for priority, views in board.board(current_user, moment.date(), day and moment):
        for view in views:
            measure = view.measure
            latest = view.latest
            writer.writerow(
                [
                    for_csv(value)
                    for value in [
                        priority.name,
                        measure.name,
                        measure.department.name,
                        measure.unit,
                        measure.direction,
                        plain_number(measure.target),
                        measure.target_date.isoformat(),
                        period_label(view.period, measure.frequency),
                        plain_number(latest.value)
                        if latest and latest.period == view.period
                        else "",
                        STATUS_LABELS[view.status],
                        "; ".join(source.identifier for source in view.sources),
                        view.hidden,
                    ]
                ]
            )
    name = f"performance-{day.isoformat() if day else 'now'}.csv"
    return Response(
        sheet.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _history(measure_id: int) -> list[dict]:
    """Every version of the measure, newest first (staff read it), each change in words; a
    record the reader may not read is counted, never named."""
    versions = db.session.scalars(
        select(MeasureVersion)
        .where(MeasureVersion.measure_id == measure_id)
        .order_by(MeasureVersion.version.desc())
    ).all()
    named = {
        identifier
        for version in versions
        for change in [version.changes.get("datasets") or [None, None]]
        for side in change
        for identifier in side or []
    }
    readable = set(
        db.session.scalars(
            select(Dataset.identifier).where(
                Dataset.identifier.in_(named), readable_by(current_user)
            )
        )
    )
    return [
        {
            "version": version,
            "changes": {
                field: [_shown(side, readable) if field == "datasets" else side for side in pair]
                for field, pair in version.changes.items()
            },
        }
        for version in versions
    ]


def _shown(identifiers: list[str] | None, readable: set[str]) -> str | None:
    if identifiers is None:
        return None
    shown = [name for name in identifiers if name in readable]
    others = len(identifiers) - len(shown)
    if others:
        shown.append(f"{others} non-public")
    return ", ".join(shown) or "none"


def _measure_page(measure, errors=None, form=None, status=200):
    day, moment = moment_of(request.args)
    view = board.measure_views([measure], current_user, moment.date(), day and moment)[0]
    staff = has_permission(current_user, Permission.ACCOUNT_OWN)
    corrected = db.session.scalars(
        select(MeasureValue)
        .where(MeasureValue.measure_id == measure.id, MeasureValue.superseded_at.is_not(None))
        .order_by(MeasureValue.period.desc(), MeasureValue.reported_at.desc())
    ).all()
    if day is not None:
        corrected = [row for row in corrected if row.reported_at <= moment]
    body = render_template(
        "performance/measure.html",
        view=view,
        measure=measure,
        as_of=day,
        staff=staff,
        history=_history(measure.id) if staff else [],
        corrected=corrected,
        may_report=can_keep_measure(current_user, measure.department_id),
        errors=errors,
        form=form or {},
        **WORDS,
    )
    return body, status


@performance_pages.get("/performance/measures/<int:measure_id>")
def measure_page(measure_id: int):
    return _measure_page(services.get_measure(measure_id))


def _choices():
    departments = select(Department.code, Department.name).order_by(Department.name)
    if not has_permission(current_user, Permission.PROGRAM_MANAGE):
        departments = departments.where(
            Department.id.in_([department.id for department in current_user.departments])
        )
    priorities = select(CityPriority.name).order_by(CityPriority.position, CityPriority.name)
    return {
        "priority_options": [(name, name) for name in db.session.scalars(priorities)],
        "department_options": [
            (code, f"{name} ({code})") for code, name in db.session.execute(departments)
        ],
        "direction_options": list(DIRECTION_LABELS.items()),
        "frequency_options": list(FREQUENCY_LABELS.items()),
    }


def _form_page(form, errors=None, measure=None, hidden=0):
    return render_template(
        "performance/measure_form.html",
        form=form,
        errors=errors,
        measure=measure,
        hidden=hidden,
        **_choices(),
        **WORDS,
    )


@performance_pages.get("/performance/measures/new")
@require_signed_in
def new_measure():
    services.check_may_keep(current_user)
    return _form_page({"direction": "higher", "frequency": "monthly"})


@performance_pages.post("/performance/measures/new")
@require_signed_in
def create_measure():
    services.check_may_keep(current_user)
    form = form_to_dict(request.form)
    with refused_as(lambda errors: _form_page(form, errors)):
        measure = services.create_measure(form, actor=current_user)
    db.session.commit()
    flash(f"The measure “{measure.name}” is defined. Report its values below.", "success")
    return redirect(url_for("performance.measure_page", measure_id=measure.id))


@performance_pages.get("/performance/measures/<int:measure_id>/edit")
@require_signed_in
def edit_measure(measure_id: int):
    measure = services.get_measure(measure_id)
    services.check_may_keep(current_user, measure)
    form = services.snapshot(measure)
    hidden = {identifier for _id, identifier in services.unreadable_sources(measure, current_user)}
    form["datasets"] = ", ".join(name for name in form["datasets"] if name not in hidden)
    form["version"] = measure.version
    return _form_page(form, measure=measure, hidden=len(hidden))


@performance_pages.post("/performance/measures/<int:measure_id>/edit")
@require_signed_in
def update_measure(measure_id: int):
    measure = services.get_measure(measure_id)
    services.check_may_keep(current_user, measure)
    form = form_to_dict(request.form)
    with refused_as(lambda errors: _form_page(form, errors, measure)):
        services.update_measure(measure, form, actor=current_user)
    db.session.commit()
    flash(f"Saved: “{measure.name}” (version {measure.version}).", "success")
    return redirect(url_for("performance.measure_page", measure_id=measure.id))


@performance_pages.post("/performance/measures/<int:measure_id>/values")
@require_signed_in
def report(measure_id: int):
    measure = services.get_measure(measure_id)
    form = form_to_dict(request.form)
    with refused_as(lambda errors: _measure_page(measure, errors, form, 422)[0]):
        done = services.report_value(measure, form, actor=current_user)
    db.session.commit()
    value = done.row
    if not done.changed:
        flash("That value was already reported: nothing changed.", "info")
    else:
        said = "Corrected" if done.corrected else "Reported"
        flash(
            f"{said}: {period_label(value.period, measure.frequency)}, {written(value.value)} "
            f"{measure.unit}.",
            "success",
        )
    return redirect(url_for("performance.measure_page", measure_id=measure.id))


@performance_pages.post("/performance/measures/<int:measure_id>/values/file")
@require_signed_in
def import_values(measure_id: int):
    measure = services.get_measure(measure_id)
    upload = request.files.get("file")
    back = url_for("performance.measure_page", measure_id=measure.id, _anchor="import")
    with refused_back_to(back):
        outcome = values_file.import_values(
            measure,
            upload.filename if upload else "",
            upload.read() if upload else b"",
            actor=current_user,
        )
    db.session.commit()
    flash(outcome.sentence(), "success")
    return redirect(url_for("performance.measure_page", measure_id=measure.id))
