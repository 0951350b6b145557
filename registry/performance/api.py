"""Measures and their values in the JSON API: read by anyone (the records behind a measure as
the caller may read them, the others counted), kept and reported by the coordinator and the
accountable department's stewards."""

from flask import Blueprint, jsonify, request, url_for
from flask.views import MethodView
from flask_login import current_user

from registry.api.operations import operation
from registry.dashboard.schemas import AsOfQuery, moment_of
from registry.extensions import db
from registry.performance import board, services
from registry.performance.rules import period_code, period_label, status
from registry.performance.schemas import (
    MeasureIn,
    MeasureListOut,
    MeasureOut,
    MeasurePatch,
    ValueIn,
    ValueListOut,
    ValueOut,
)
from registry.web.access import require_signed_in
from registry.web.paging import PAGE_PARAMETERS, page_body, paginate, paginate_list
from registry.web.requests import json_body


def _point(point: board.Point, staff: bool) -> dict:
    row = point.row
    return {
        "period": point.code,
        "label": point.label,
        "value": point.value,
        "status": str(point.status),
        "note": row.note if row else None,
        "reported_at": row.reported_at if row else None,
        "reported_by": row.reported_by_label if row and staff else None,
        "reason": row.reason if row else None,
    }


def _measure_body(view: board.MeasureView) -> dict:
    measure = view.measure
    staff = current_user.is_authenticated
    latest = view.latest
    return {
        "id": measure.id,
        "priority": measure.priority.name,
        "department": measure.department.code,
        "department_name": measure.department.name,
        **{
            name: getattr(measure, name)
            for name in ("name", "counts", "unit", "direction", "target", "target_date")
        },
        "frequency": measure.frequency,
        "version": measure.version,
        "latest": _point(latest, staff) if latest else None,
        "status": str(view.status),
        "datasets": [source.__dict__ for source in view.sources],
        "non_public_datasets": view.hidden,
    }


def _views(measures) -> list[board.MeasureView]:
    day, moment = moment_of(request.args)
    return board.measure_views(measures, current_user, moment.date(), day and moment)


@operation(
    "The measures of the city's priorities, a page at a time in the priorities' order, where "
    "each stands, now or as of a past day",
    ok=(200, "The measures", MeasureListOut),
    errors=(422,),
    query=AsOfQuery,
    parameters=PAGE_PARAMETERS,
)
def list_measures():
    day, moment = moment_of(request.args)
    found = paginate(board.measures_query(day and moment))
    items = [_measure_body(view) for view in _views(list(found))]
    return jsonify(MeasureListOut().dump(page_body(found, items, as_of=day)))


@operation(
    "Define a measure (the coordinator, or a steward for their department)",
    ok=(201, "Defined", MeasureOut),
    errors=(403, 422),
    body=MeasureIn,
    signed_in=True,
)
@require_signed_in
def create_measure():
    services.check_may_keep(current_user)
    measure = services.create_measure(json_body(), actor=current_user)
    db.session.commit()
    response = jsonify(MeasureOut().dump(_measure_body(_views([measure])[0])))
    response.status_code = 201
    response.headers["Location"] = url_for("api.measure", measure_id=measure.id)
    return response


@operation(
    "One measure, where it stands, and the records behind it",
    ok=(200, "The measure", MeasureOut),
    errors=(404, 422),
    query=AsOfQuery,
)
def get_measure(measure_id: int):
    measure = services.get_measure(measure_id)
    return jsonify(MeasureOut().dump(_measure_body(_views([measure])[0])))


@operation(
    "Edit a measure: send `version` as read; based on an older one, only what you changed "
    "applies, and a field a colleague changed too is a 409",
    ok=(200, "Saved", MeasureOut),
    errors=(403, 404, 409, 422),
    body=MeasurePatch,
    signed_in=True,
)
@require_signed_in
def update_measure(measure_id: int):
    measure = services.get_measure(measure_id)
    services.check_may_keep(current_user, measure)
    services.update_measure(measure, json_body(), actor=current_user)
    db.session.commit()
    return jsonify(MeasureOut().dump(_measure_body(_views([measure])[0])))


@operation(
    "Each period's value and status, newest first, a page at a time (periods with nothing "
    "reported included)",
    ok=(200, "The values", ValueListOut),
    errors=(404, 422),
    query=AsOfQuery,
    parameters=PAGE_PARAMETERS,
)
def list_values(measure_id: int):
    measure = services.get_measure(measure_id)
    view = _views([measure])[0]
    staff = current_user.is_authenticated
    found = paginate_list(list(reversed(view.points)))
    items = [_point(point, staff) for point in found]
    return jsonify(ValueListOut().dump(page_body(found, items)))


@operation(
    "Report a period's value; one already reported is corrected only with a `reason` (the "
    "value it replaces is kept); the same value again changes nothing (`changed` is false)",
    ok=(200, "The value in force", ValueOut),
    errors=(403, 404, 422),
    body=ValueIn,
    signed_in=True,
)
@require_signed_in
def report_value(measure_id: int):
    measure = services.get_measure(measure_id)
    services.check_may_keep(current_user, measure)
    done = services.report_value(measure, json_body(), actor=current_user)
    db.session.commit()
    value = done.row
    body = {
        "period": period_code(value.period, measure.frequency),
        "label": period_label(value.period, measure.frequency),
        "value": value.value,
        "status": str(status(value.value, measure.target, measure.direction)),
        "note": value.note,
        "reported_at": value.reported_at,
        "reported_by": value.reported_by_label,
        "reason": value.reason,
        "changed": done.changed,
    }
    return jsonify(ValueOut().dump(body))


class OneMeasure(MethodView):
    """/measures/<id>: one rule for its methods, so that an id past any row's is a 404 for
    each (a rule per method answers 405 for all but the first)."""

    get = staticmethod(get_measure)
    patch = staticmethod(update_measure)


class MeasureValues(MethodView):
    get = staticmethod(list_values)
    post = staticmethod(report_value)


def register(api: Blueprint) -> None:
    api.add_url_rule("/measures", view_func=list_measures, methods=["GET"])
    api.add_url_rule("/measures", view_func=create_measure, methods=["POST"])
    api.add_url_rule("/measures/<int:measure_id>", "measure", view_func=OneMeasure)
    api.add_url_rule("/measures/<int:measure_id>/values", "values", view_func=MeasureValues)
