"""The demo city's performance measures: two under each of Riverton's four priorities, defined
by the accountable department two years ago, with every period's value since, reported by its
steward soon after the period ended. Some meet their targets and some do not; one value was
corrected; one department has not reported its last month; some rest on data not yet released
(one on a restricted record, which the public sees only as a count)."""

import math
import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from registry.accounts.services import find_user_by_email
from registry.datasets.models import Dataset
from registry.db import utcnow
from registry.demo.city import DOMAIN
from registry.extensions import db
from registry.performance import services, stocktakes
from registry.performance.models import Measure
from registry.performance.rules import last_ended, next_period, period_code, periods

# (priority, department, name, what it counts, unit, direction, target, frequency,
#  start, yearly change, seasonal swing, noise, source titles)
MEASURES = [
    (
        "Safe neighbourhoods",
        "FD",
        "Fire and EMS calls answered within 8 minutes",
        "The share of emergency calls where the first unit arrived within 8 minutes of dispatch.",
        "%",
        "higher",
        90,
        "monthly",
        86.5,
        3.2,
        1.5,
        0.8,
        ("EMS Response Times", "Fire Incidents", "Patient Care Reports"),
    ),
    (
        "Safe neighbourhoods",
        "DOT",
        "Traffic collisions with injuries",
        "Reported collisions on city streets in which someone was hurt.",
        "collisions",
        "lower",
        95,
        "monthly",
        128.0,
        -6.0,
        14.0,
        6.0,
        ("Traffic Collisions", "Traffic Counts"),
    ),
    (
        "Economic opportunity",
        "FIN",
        "Contract dollars to local small businesses",
        "The share of the city's contract spending paid to certified local small businesses.",
        "%",
        "higher",
        25,
        "quarterly",
        17.5,
        2.0,
        0.5,
        0.8,
        ("City Contracts", "Vendor Payments"),
    ),
    (
        "Economic opportunity",
        "PLN",
        "Days to issue a residential building permit",
        "Median days from a complete application to an issued permit, for one- to four-family "
        "homes.",
        "days",
        "lower",
        30,
        "monthly",
        41.0,
        -2.5,
        3.0,
        1.5,
        ("Building Permits", "Development Pipeline"),
    ),
    (
        "Children's health and success",
        "HD",
        "Children tested for lead by age 2",
        "The share of two-year-olds living in the city with a blood lead test on record.",
        "%",
        "higher",
        80,
        "quarterly",
        73.0,
        4.5,
        1.0,
        1.0,
        ("Childhood Lead Testing",),
    ),
    (
        "Children's health and success",
        "LIB",
        "Children in summer reading and library programs",
        "Children and teens attending a library program or logging summer reading in the month.",
        "children",
        "higher",
        2400,
        "monthly",
        1800.0,
        150.0,
        500.0,
        90.0,
        ("Summer Reading Participation", "Library Program Attendance"),
    ),
    (
        "Environmental and physical assets",
        "PW",
        "Potholes repaired within 3 days",
        "The share of pothole reports closed as repaired within three days of the report.",
        "%",
        "higher",
        85,
        "monthly",
        79.0,
        4.0,
        5.0,
        2.0,
        ("Pothole Repair Requests", "Pavement Condition Index"),
    ),
    (
        "Environmental and physical assets",
        "PW",
        "Recycling contamination rate",
        "The share of audited recycling loads by weight that is not recyclable.",
        "%",
        "lower",
        17,
        "monthly",
        20.0,
        -1.2,
        1.0,
        0.7,
        ("Recycling Contamination Audits", "Solid Waste Collection Tonnage"),
    ),
]
COUNTED = ("collisions", "children")  # whole numbers
UNREPORTED = "Children in summer reading and library programs"  # its last month is missing
CORRECTED = "Potholes repaired within 3 days"  # one value corrected, with the reason


def _person(local: str):
    return find_user_by_email(f"{local}@{DOMAIN}")


def _identifiers(titles) -> list[str]:
    found = db.session.scalars(select(Dataset.identifier).where(Dataset.title.in_(titles)))
    return sorted(found)


def _value(spec, index: int, rng: random.Random) -> float:
    start, yearly, swing, noise = spec[8:12]
    steps_a_year = {"monthly": 12, "quarterly": 4}[spec[7]]
    trend = start + yearly * index / steps_a_year
    season = swing * math.sin(2 * math.pi * index / steps_a_year)
    value = trend + season + rng.gauss(0, noise)
    return float(round(value)) if spec[4] in COUNTED else round(value, 1)


def load_demo_measures(timeline, defined: datetime) -> None:
    """Schedules the measures (defined at `defined`, once the city's priorities are listed),
    their past two years of values (entered an hour later, as a department does when it starts)
    and every value since, each soon after its period ended; nothing if any measure is there
    already."""
    if db.session.scalar(select(Measure.id).limit(1)) is not None:
        return
    now = utcnow()
    today = now.date()
    backfill = defined + timedelta(hours=1)
    for number, spec in enumerate(MEASURES):
        frequency = spec[7]
        timeline.at(defined + timedelta(minutes=number), lambda spec=spec: _define(spec))
        due = periods(today - timedelta(days=730), last_ended(today, frequency), frequency)
        if spec[2] == UNREPORTED:
            due = due[:-1]
        rng = random.Random(number)
        for index, start in enumerate(due):
            value = _value(spec, index, rng)
            ended = datetime.combine(next_period(start, frequency), time(0), UTC)
            # Reported within three days of the period's end (and never after now).
            moment = max(min(ended + timedelta(days=3), now - timedelta(minutes=5)), backfill)
            if moment > ended:
                timeline.at(
                    moment,
                    lambda spec=spec, start=start, value=value: _report(spec, start, value),
                )
        if spec[2] == CORRECTED:
            _stock_take(timeline, spec, today)
            start = due[-3]
            ended = datetime.combine(next_period(start, frequency), time(10), UTC)
            timeline.at(
                ended + timedelta(days=20), lambda spec=spec, start=start: _correct(spec, start)
            )


def _steward(spec):
    return _person(f"steward.{spec[1].lower()}")


def _measure(spec) -> Measure:
    return db.session.scalar(select(Measure).where(Measure.name == spec[2]))


def _define(spec) -> None:
    priority, department, name, counts, unit, direction, target, frequency = spec[:8]
    services.create_measure(
        {
            "priority": priority,
            "department": department,
            "name": name,
            "counts": counts,
            "unit": unit,
            "direction": direction,
            "target": target,
            "target_date": date(utcnow().year + 3, 12, 31).isoformat(),
            "frequency": frequency,
            "datasets": _identifiers(spec[12]),
        },
        actor=_steward(spec),
    )


def _report(spec, start: date, value: float) -> None:
    measure = _measure(spec)
    services.report_value(
        measure,
        {"period": period_code(start, measure.frequency), "value": value},
        actor=_steward(spec),
    )


def _correct(spec, start: date) -> None:
    measure = _measure(spec)
    current = services.in_force(measure.id, start)
    services.report_value(
        measure,
        {
            "period": period_code(start, measure.frequency),
            "value": round(current.value - 2.4, 1),
            "note": current.note,
            "reason": "Work orders closed after the month's report were counted twice.",
        },
        actor=_steward(spec),
    )


def _stock_take(timeline, spec, today: date) -> None:
    """Public Works met on its measures last month, and left a follow-up open."""
    month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    held = month + timedelta(days=9)

    def record() -> None:
        steward = _steward(spec)
        measure = _measure(spec)
        stocktakes.record_stock_take(
            steward.departments[0],
            month,
            {
                "held_on": held.isoformat(),
                "attendees": "Marisol Vega, the street maintenance superintendent, two crew leads",
                f"note-{measure.id}": "Two crews were on storm duty for a week; the backlog grew.",
                f"follow_up-{measure.id}": "Trial a Saturday pothole crew for a month",
                f"follow_up_by-{measure.id}": (held + timedelta(days=45)).isoformat(),
            },
            actor=steward,
        )

    timeline.at(datetime.combine(held, time(16), UTC), record)
