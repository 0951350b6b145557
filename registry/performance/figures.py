"""The measures in the program's figures: where each stood at a moment (the annual report's
table, its files) and how many of each priority's were on track, off track or without data
(the dashboard's figure, /api/v1/stats/measures and its CSV). Counts and values only: the
records behind a measure are named on its own page, by the reader's rule."""

from collections import Counter
from datetime import datetime
from typing import Any

from registry.performance.board import (
    as_defined,
    measures_in_force,
    read_at,
    reported_values,
)
from registry.performance.rules import STATUS_LABELS, Status, period_label, standing

STATUSES = (Status.ON_TRACK, Status.OFF_TRACK, Status.NO_DATA)


def where_measures_stood(moment: datetime) -> list[dict[str, Any]]:
    """Every measure defined by the moment, as it was defined then, with the value in force
    then for the period it stood on, and that period's status."""
    moment_read = read_at(moment)
    measures = measures_in_force(moment_read)
    values = reported_values([measure.id for measure in measures], moment_read)
    rows = []
    for measure in as_defined(measures, moment_read):
        reported = values.get(measure.id, {})
        status, period = standing(
            reported, measure.frequency, measure.target, measure.direction, moment.date()
        )
        rows.append(
            {
                "id": measure.id,
                "priority": measure.priority.name,
                "measure": measure.name,
                "department": measure.department.name,
                "unit": measure.unit,
                "target": measure.target,
                "target_date": measure.target_date,
                "period": period_label(period, measure.frequency),
                "value": reported.get(period),
                "status": status,
                "status_label": STATUS_LABELS[status],
            }
        )
    return rows


def status_counts(moment: datetime) -> list[list[Any]]:
    """Per city priority (in the coordinator's order): its measures on track, off track, with
    no data, and in all."""
    counted: dict[str, Counter] = {}
    for row in where_measures_stood(moment):
        counted.setdefault(row["priority"], Counter())[row["status"]] += 1
    return [
        [priority, *(found[status] for status in STATUSES), sum(found.values())]
        for priority, found in counted.items()
    ]
