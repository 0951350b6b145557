"""The progress dashboard (its page, each figure's JSON at /api/v1/stats/<name> and CSV, now
or as of a past day) and the program's yearly report (a page, XLSX and CSV)."""

import csv
import io
from datetime import date, datetime

from flask import Blueprint, Response, abort, jsonify, render_template, request
from flask_login import current_user
from marshmallow import ValidationError

from registry.api.operations import operation
from registry.cells import for_csv
from registry.dashboard import report, stats
from registry.dashboard.schemas import AsOfQuery, FigureListOut, FigureOut, moment_of
from registry.db import utcnow, utctoday
from registry.performance.rules import written
from registry.permissions import Permission, has_permission
from registry.transfer.spreadsheets import write_tables_xlsx
from registry.web.caching import cacheable
from registry.web.forms import refused_as
from registry.web.paging import paginate_fetched

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

dashboard = Blueprint("dashboard", __name__)


@dashboard.get("/dashboard")
@cacheable
def page():
    # A day that is not one, or still to come: the figures as of now, the field saying why.
    with refused_as(lambda errors: _page(None, utcnow(), errors)):
        day, moment = moment_of(request.args)
    return _page(day, moment)


def _page(day: date | None, moment: datetime, errors: dict | None = None) -> str:
    staff = has_permission(current_user, Permission.ACCOUNT_OWN)
    overdue_total, overdue = 0, []
    if staff and day is None:
        overdue_total, overdue = stats.overdue_for(current_user, utctoday())
    return render_template(
        "dashboard/dashboard.html",
        figures={figure.name: figure for figure in stats.figures(moment)},
        as_of=day,
        errors=errors,
        staff=staff,
        overdue=overdue,
        overdue_total=overdue_total,
    )


def _figure(name: str):
    if name not in stats.FIGURES:
        abort(404)
    day, moment = moment_of(request.args)
    return day, stats.figures(moment, [name])[0]


@operation(
    "One figure of the dashboard, now or as of the end of a past day",
    ok=(200, "The figure", FigureOut),
    errors=(404, 422),
    query=AsOfQuery,
)
def stats_json(name: str):
    day, figure = _figure(name)
    return jsonify(
        FigureOut().dump({**figure.as_dict(), "as_of": day.isoformat() if day else None})
    )


@operation(
    "The dashboard's figures, by name, with their JSON and CSV addresses",
    ok=(200, "The figures", FigureListOut),
)
def stats_index():
    return jsonify(
        items=[
            {"name": name, "url": f"/api/v1/stats/{name}", "csv": f"/stats/{name}.csv"}
            for name in stats.FIGURES
        ]
    )


@dashboard.get("/stats/<name>.csv")
def stats_csv(name: str):
    day, figure = _figure(name)
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 with a byte-order mark
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(figure.columns)
    for row in figure.rows:
        writer.writerow([for_csv(value) for value in row])
    filename = f"{name}-{(day or utctoday()).isoformat()}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def report_year(args) -> int:
    """The `year` argument (default: this year); one the registry cannot report is a 422."""
    this_year = utctoday().year
    raw = args.get("year") or str(this_year)
    if not raw.isdigit() or not 1990 <= int(raw) <= this_year:
        raise ValidationError({"year": [f"Give a year from 1990 to {this_year}."]})
    return int(raw)


@dashboard.get("/report")
@cacheable
def report_page():
    year = report_year(request.args)
    built = report.build(year)
    return render_template(
        "dashboard/report.html",
        report=built,
        plan=paginate_fetched(built.plan, built.plan_total),
        years=list(range(utctoday().year, utctoday().year - 5, -1)),
        written=written,
    )


@dashboard.get("/report.<any(xlsx, csv):extension>")
def report_file(extension: str):
    year = report_year(request.args)
    tables = report.sheets(report.build(year))
    if extension == "xlsx":
        sink = io.BytesIO()
        write_tables_xlsx(sink, tables)
        body, mimetype = sink.getvalue(), XLSX_TYPE
    else:
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        for title, header, rows in tables:
            writer.writerow(["Section", *header])
            for row in rows:
                writer.writerow([title, *(for_csv(value) for value in row)])
            writer.writerow([])
        body, mimetype = out.getvalue(), "text/csv"
    filename = f"open-data-report-{year}.{extension}"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def register(api: Blueprint) -> None:
    api.add_url_rule("/stats", view_func=stats_index, methods=["GET"])
    figure = {
        "in": "path",
        "name": "name",
        "schema": {"type": "string", "enum": sorted(stats.FIGURES)},
    }
    api.add_url_rule("/stats/<name>", view_func=stats_json, methods=["GET"], parameters=[figure])
