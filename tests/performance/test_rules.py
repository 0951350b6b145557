"""A measure's rules, against tables written by hand from the policy's words: the status of a
period (on track when its value meets the target, at or above it when higher is better and at
or below it when lower is better; off track when it does not; no data when nothing was
reported), where a measure stands, and the periods as clerks write them."""

from datetime import date

import pytest

from registry.performance.rules import (
    PeriodError,
    parse_period,
    period_label,
    standing,
    status,
    written,
)

# value, target, direction -> status, worked out by hand
STATUS_TABLE = [
    (91.0, 90.0, "higher", "on_track"),
    (90.0, 90.0, "higher", "on_track"),  # meeting the target exactly is on track
    (89.9, 90.0, "higher", "off_track"),
    (0.0, 5.0, "higher", "off_track"),
    (14.0, 15.0, "lower", "on_track"),
    (15.0, 15.0, "lower", "on_track"),
    (15.1, 15.0, "lower", "off_track"),
    (-2.0, 0.0, "lower", "on_track"),
    (None, 90.0, "higher", "no_data"),
    (None, 15.0, "lower", "no_data"),
]


@pytest.mark.parametrize(("value", "target", "direction", "expected"), STATUS_TABLE)
def test_a_periods_status(value, target, direction, expected):
    assert status(value, target, direction) == expected


# (values by period, frequency, day asked) -> (status, period it is of)
STANDING_TABLE = [
    # November reported on a day in December: November's status.
    ({date(2026, 11, 1): 92.0}, "monthly", date(2026, 12, 6), ("on_track", date(2026, 11, 1))),
    # November not reported by then: no data for November, whatever October said.
    ({date(2026, 10, 1): 95.0}, "monthly", date(2026, 12, 6), ("no_data", date(2026, 11, 1))),
    # December's own value, early: it is the newest.
    ({date(2026, 12, 1): 80.0}, "monthly", date(2026, 12, 6), ("off_track", date(2026, 12, 1))),
    # A quarter: Q3 is the last one ended in December.
    ({date(2026, 7, 1): 91.0}, "quarterly", date(2026, 12, 6), ("on_track", date(2026, 7, 1))),
    ({}, "yearly", date(2026, 12, 6), ("no_data", date(2025, 1, 1))),
]


@pytest.mark.parametrize(("values", "frequency", "day", "expected"), STANDING_TABLE)
def test_where_a_measure_stands(values, frequency, day, expected):
    assert standing(values, frequency, 90.0, "higher", day) == expected


PERIODS = [
    ("2026-03", "monthly", date(2026, 3, 1)),
    ("March 2026", "monthly", date(2026, 3, 1)),
    ("Mar 2026", "monthly", date(2026, 3, 1)),
    ("3/2026", "monthly", date(2026, 3, 1)),
    ("3/31/2026", "monthly", date(2026, 3, 1)),  # a spreadsheet's date: the month's last day
    ("2026-03-01", "monthly", date(2026, 3, 1)),
    ("2026-Q2", "quarterly", date(2026, 4, 1)),
    ("Q4 2025", "quarterly", date(2025, 10, 1)),
    ("6/30/2026", "quarterly", date(2026, 4, 1)),
    ("2025", "yearly", date(2025, 1, 1)),
    ("FY2025", "yearly", date(2025, 1, 1)),
]


@pytest.mark.parametrize(("text", "frequency", "expected"), PERIODS)
def test_periods_as_clerks_write_them(text, frequency, expected):
    assert parse_period(text, frequency) == expected


@pytest.mark.parametrize(
    ("text", "frequency", "says"),
    [
        ("2026-Q1", "monthly", "reported monthly: give a month"),
        ("2026-03", "quarterly", "reported quarterly: give a quarter"),
        ("March 2026", "yearly", "reported yearly: give a year"),
        ("2026-13", "monthly", "give a month"),
        ("3/15/2026", "monthly", "inside a period"),
        ("Q5 2026", "quarterly", "give a quarter"),
        ("last month", "monthly", "give a month"),
    ],
)
def test_a_period_outside_the_frequency_is_refused_with_the_form_wanted(text, frequency, says):
    with pytest.raises(PeriodError, match=says):
        parse_period(text, frequency)


def test_periods_and_values_in_words():
    assert period_label(date(2026, 4, 1), "quarterly") == "Q2 2026"
    assert period_label(date(2026, 4, 1), "monthly") == "April 2026"
    assert [written(1204.25), written(90.0), written(None)] == ["1,204.25", "90", "—"]
