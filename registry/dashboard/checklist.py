"""The yearly report's readiness checklist: the What Works Cities certification criteria the
registry can compute, each with its evidence, as counts in the database."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import func, select

from registry.accounts.models import Department
from registry.datasets.models import DatasetVersion
from registry.extensions import db
from registry.priorities import requests
from registry.reviews.models import Meeting

QUARTER_DAYS = 92
DEPARTMENT_COVERAGE = 0.8
REQUESTS_IN_TIME = 0.9


@dataclass
class Check:
    criterion: str
    met: bool
    evidence: str


def checklist(held, moment: datetime) -> list[Check]:
    """The criteria at the moment; `held` is what the report read of the records then
    (report.Held)."""
    day = moment.date()
    checks = []
    last_change = db.session.scalar(
        select(func.max(DatasetVersion.changed_at)).where(DatasetVersion.changed_at <= moment)
    )
    fresh = last_change is not None and moment - last_change <= timedelta(days=365)
    checks.append(
        Check(
            "The inventory was updated within the last 12 months",
            fresh,
            f"Last change to the inventory: {last_change:%d %B %Y}." if last_change else "None.",
        )
    )
    departments = db.session.scalar(select(func.count(Department.id))) or 0
    covered = len(held.departments)
    share = covered / departments if departments else 0
    checks.append(
        Check(
            "The inventory covers more than 80% of departments",
            share > DEPARTMENT_COVERAGE,
            f"{covered} of {departments} departments have listed their datasets ({share:.0%}).",
        )
    )
    published = held.published
    checks.append(
        Check(
            "The inventory is published online",
            published > 0,
            f"The public inventory lists every dataset at levels 1 to 3; {published} are in the "
            "catalog and data.json.",
        )
    )
    checks += _meeting_checks(day)
    checks.append(_request_check(moment))
    undated = held.undated
    checks.append(
        Check(
            "There is a release plan with dates",
            not undated,
            f"{held.approved} approved datasets await release; "
            + (f"{undated} have no target date." if undated else "every one has a date."),
        )
    )
    return checks


def _meeting_checks(day: date) -> list[Check]:
    year_ago = day - timedelta(days=365)
    held = list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.held_on <= day, Meeting.held_on > year_ago)
            .order_by(Meeting.held_on)
        )
    )
    dates = [year_ago, *(m.held_on for m in held), day]
    longest = max((later - earlier).days for earlier, later in pairwise(dates))
    quarterly = bool(held) and longest <= QUARTER_DAYS
    last_two = list(
        db.session.scalars(
            select(Meeting).where(Meeting.held_on <= day).order_by(Meeting.held_on.desc()).limit(2)
        )
    )
    with_minutes = [m for m in last_two if m.minutes_url]
    upcoming = db.session.scalar(
        select(Meeting).where(Meeting.held_on > day).order_by(Meeting.held_on).limit(1)
    )
    return [
        Check(
            "The governance committee meets at least quarterly",
            quarterly,
            f"{len(held)} meetings in the 12 months before; the longest gap was {longest} days.",
        ),
        Check(
            "Minutes of its last two meetings are published",
            len(last_two) == 2 and len(with_minutes) == 2,
            f"{len(with_minutes)} of the last {len(last_two)} meetings have minutes published.",
        ),
        Check(
            "The next meeting is scheduled",
            upcoming is not None,
            f"Next meeting: {upcoming.held_on:%d %B %Y}." if upcoming else "None is scheduled.",
        ),
    ]


def _request_check(moment: datetime) -> Check:
    share, answered, in_time, overdue = request_figures(moment)
    channel = "anyone" if requests.program_settings().public_requests else "anyone with an account"
    return Check(
        "A public channel for data requests, answered within the policy's deadlines",
        share >= REQUESTS_IN_TIME and overdue == 0,
        f"The requests board takes requests from {channel}; {in_time} of {answered} "
        f"answered requests were answered in time, and {overdue} are past a deadline now.",
    )


def request_figures(moment: datetime) -> tuple[float, int, int, int]:
    """What the policy's clocks (requests.clocks) say of the requests made by the moment, as
    one count in the database: the share answered in time, how many were answered, in time,
    and how many are past a deadline at the moment."""
    clock = requests.clock_conditions(moment)
    figures = db.session.execute(
        select(
            func.count().filter(clock.answered),
            func.count().filter(clock.in_time),
            func.count().filter(clock.overdue),
        ).where(clock.made)
    ).one()
    answered_count, in_time, overdue = (int(figure or 0) for figure in figures)
    share = in_time / answered_count if answered_count else 1.0
    return share, answered_count, in_time, overdue
