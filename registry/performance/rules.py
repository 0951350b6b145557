"""The rules of a measure, pure (no Flask, no database): its reporting periods, written as a
clerk writes them, and each period's status against the target.

A period is kept as the day it begins: a month on its first day, a quarter on the first day of
its first month, a year on January 1st. People write them as "2026-03", "March 2026", "3/2026";
"2026-Q1", "Q1 2026"; "2026", "FY2026" (a year is the calendar year); or the period's first or
last day, as a spreadsheet's date cell holds it ("3/31/2026").

The status of a period (STATUS_RULE, in words on every page that shows one):
- on track: its value meets the target (at or above it when higher is better, at or below it
  when lower is better);
- off track: its value does not;
- no data: the period has ended and no value was reported for it.
"""

import calendar
import re
from datetime import date, timedelta
from enum import StrEnum


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Status(StrEnum):
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"


FREQUENCY_LABELS = {
    Frequency.MONTHLY: "Monthly",
    Frequency.QUARTERLY: "Quarterly",
    Frequency.YEARLY: "Yearly",
}
DIRECTION_LABELS = {Direction.HIGHER: "Higher is better", Direction.LOWER: "Lower is better"}
STATUS_LABELS = {
    Status.ON_TRACK: "On track",
    Status.OFF_TRACK: "Off track",
    Status.NO_DATA: "No data",
}
STATUS_RULE = (
    "On track when a period's value meets the target (at or above it when higher is better, at "
    "or below it when lower is better); off track when it does not; no data when the period has "
    "ended and nothing was reported for it."
)
# How each frequency's periods are written, for the message that refuses another form.
PERIOD_FORMS = {
    Frequency.MONTHLY: "a month, such as 2026-03 or March 2026",
    Frequency.QUARTERLY: "a quarter, such as 2026-Q1 or Q1 2026",
    Frequency.YEARLY: "a year, such as 2026",
}
MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTH_FORMS = (
    (re.compile(r"(\d{4})-(\d{1,2})"), lambda m: (int(m[1]), int(m[2]))),
    (re.compile(r"(\d{1,2})/(\d{4})"), lambda m: (int(m[2]), int(m[1]))),
    (re.compile(r"([a-z]+)\.? (\d{4})"), lambda m: (int(m[2]), MONTHS.get(m[1], 0))),
)
_QUARTER_FORMS = (
    re.compile(r"(?P<year>\d{4}) ?-? ?q(?P<quarter>\d)"),
    re.compile(r"q(?P<quarter>\d) ?-? ?(?P<year>\d{4})"),
)
_YEAR_FORM = re.compile(r"(?:fy|cy)? ?(\d{4})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_US_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


class PeriodError(ValueError):
    """A period this measure does not report by, in words."""


def _day(text: str) -> date | None:
    """A day written 2026-03-31 or 3/31/2026 (a date cell of a spreadsheet reads so)."""
    found = _ISO_DAY.fullmatch(text)
    parts = (found[1], found[2], found[3]) if found else None
    found = _US_DAY.fullmatch(text)
    if found:
        parts = (found[3], found[1], found[2])
    if parts is None:
        return None
    try:
        return date(*(int(part) for part in parts))
    except ValueError:
        return None


def _month(text: str) -> tuple[int, int] | None:
    for form, parts in _MONTH_FORMS:
        found = form.fullmatch(text)
        if found:
            return parts(found)
    return None


def _quarter(text: str) -> tuple[int, int] | None:
    for form in _QUARTER_FORMS:
        found = form.fullmatch(text)
        if found:
            return int(found["year"]), int(found["quarter"])
    return None


def _named_period(words: str, frequency: str) -> date | None:
    if frequency == Frequency.MONTHLY:
        found = _month(words)
        if found and 1 <= found[1] <= 12:
            return date(found[0], found[1], 1)
    elif frequency == Frequency.QUARTERLY:
        found = _quarter(words)
        if found and 1 <= found[1] <= 4:
            return date(found[0], 3 * found[1] - 2, 1)
    else:
        year = _YEAR_FORM.fullmatch(words)
        if year:
            return date(int(year[1]), 1, 1)
    return None


def parse_period(text: str, frequency: str) -> date:
    """The first day of the period `text` names, which must be one of the frequency's periods:
    a quarter for a monthly measure, or a month for a yearly one, is refused with the form
    wanted."""
    words = " ".join(str(text).strip().lower().replace(",", " ").split())
    wanted = PERIOD_FORMS[Frequency(frequency)]
    day = _day(words)
    if day is not None:
        start = period_of(day, frequency)
        if day in (start, next_period(start, frequency) - timedelta(days=1)):
            return start  # a spreadsheet's date: the period's first or last day
        raise PeriodError(
            f"{text} is inside a period, not one: give {wanted} (or its first or last day)."
        )
    try:
        start = _named_period(words, frequency)
    except ValueError:  # a year 0, say
        start = None
    if start is not None:
        return start
    raise PeriodError(f"This measure is reported {frequency}: give {wanted}, not “{text}”.")


def period_label(start: date, frequency: str) -> str:
    """How a period is written on the pages: "March 2026", "Q1 2026", "2026"."""
    if frequency == Frequency.MONTHLY:
        return f"{calendar.month_name[start.month]} {start.year}"
    if frequency == Frequency.QUARTERLY:
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return str(start.year)


def short_label(start: date, frequency: str) -> str:
    """A period in a chart's few characters: "Mar 2026", "Q1 2026", "2026"."""
    if frequency == Frequency.MONTHLY:
        return f"{calendar.month_abbr[start.month]} {start.year}"
    return period_label(start, frequency)


def period_code(start: date, frequency: str) -> str:
    """How a period is written in files and the API: "2026-03", "2026-Q1", "2026"."""
    if frequency == Frequency.MONTHLY:
        return f"{start.year}-{start.month:02d}"
    if frequency == Frequency.QUARTERLY:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def months_in(frequency: str) -> int:
    return {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}[
        Frequency(frequency)
    ]


def next_period(start: date, frequency: str) -> date:
    index = start.year * 12 + start.month - 1 + months_in(frequency)
    return date(index // 12, index % 12 + 1, 1)


def period_of(day: date, frequency: str) -> date:
    """The first day of the period a day falls in."""
    step = months_in(frequency)
    return date(day.year, (day.month - 1) // step * step + 1, 1)


def last_ended(day: date, frequency: str) -> date:
    """The latest period that has ended by `day` (the one before the period `day` is in)."""
    current = period_of(day, frequency)
    index = current.year * 12 + current.month - 1 - months_in(frequency)
    return date(index // 12, index % 12 + 1, 1)


def periods(first: date, last: date, frequency: str) -> list[date]:
    """Every period from `first` to `last`, both included, in order."""
    found, start = [], period_of(first, frequency)
    while start <= last:
        found.append(start)
        start = next_period(start, frequency)
    return found


def status(value: float | None, target: float, direction: str) -> Status:
    """A period's status (STATUS_RULE): its value, if any, against the target."""
    if value is None:
        return Status.NO_DATA
    if direction == Direction.HIGHER:
        return Status.ON_TRACK if value >= target else Status.OFF_TRACK
    return Status.ON_TRACK if value <= target else Status.OFF_TRACK


def written(value: float | None) -> str:
    """A value as people write it: 12, 12.5, 1,204.25; no trailing zeros."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def standing(
    values: dict[date, float], frequency: str, target: float, direction: str, day: date
) -> tuple[Status, date]:
    """Where a measure stands on `day`, and for which period: the latest period reported, when
    it is the last one ended or later; otherwise the last period ended, with no data."""
    due = last_ended(day, frequency)
    latest = max(values, default=None)
    if latest is not None and latest >= due:
        return status(values[latest], target, direction), latest
    return Status.NO_DATA, due


def plain_number(value: float) -> float | int:
    """A whole number as an int (a file shows 90, not 90.0)."""
    return int(value) if float(value).is_integer() else value
