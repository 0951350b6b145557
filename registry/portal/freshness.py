"""Whether a published dataset is updated as often as it says, after the Humanitarian Data
Exchange's freshness rule: from its update frequency and the day the portal says it last
changed, one of fresh, due, overdue or delinquent, and how many days late.

The thresholds, for a frequency of P days and a grace of G days (a quarter of P, at least a day):

- fresh: changed within P days;
- due: P days have passed, not yet P + G (a day's slack for a monthly file is not lateness);
- overdue: more than P + G days;
- delinquent: more than 2 P + G days (a whole period missed).

Days late count from P. An irregular dataset has no freshness."""

from dataclasses import dataclass
from datetime import date, timedelta

# Each update frequency (datasets.vocab.UPDATE_FREQUENCIES) as days; hourly and continuous
# data are judged by the day, the finest a portal's "modified" says.
PERIOD_DAYS = {
    "R/PT1S": 1,
    "R/PT1H": 1,
    "R/P1D": 1,
    "R/P3.5D": 4,
    "R/P0.33W": 3,
    "R/P1W": 7,
    "R/P0.5W": 4,
    "R/P2W": 14,
    "R/P0.5M": 16,
    "R/P0.33M": 11,
    "R/P1M": 31,
    "R/P2M": 62,
    "R/P3M": 92,
    "R/P4M": 123,
    "R/P6M": 184,
    "R/P1Y": 366,
    "R/P2Y": 731,
    "R/P3Y": 1096,
    "R/P4Y": 1461,
    "R/P10Y": 3653,
}
STATES = ("fresh", "due", "overdue", "delinquent")
STATE_LABELS = {
    "fresh": "On time",
    "due": "Due",
    "overdue": "Overdue",
    "delinquent": "Delinquent",
}


def grace(period: int) -> int:
    return max(1, period // 4)


@dataclass(frozen=True)
class Freshness:
    state: str
    days_late: int
    period: int

    @property
    def on_time(self) -> bool:
        return self.state in ("fresh", "due")

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


def late_from(frequency: str | None, last_changed: date | None) -> date | None:
    """The first day a dataset changed on `last_changed` counts as overdue, if it ever does."""
    period = PERIOD_DAYS.get(frequency or "")
    if period is None or last_changed is None:
        return None
    return last_changed + timedelta(days=period + grace(period) + 1)


def freshness(frequency: str | None, last_changed: date | None, today: date) -> Freshness | None:
    """The state for a frequency and the day the data last changed; None when the frequency
    sets no rhythm (irregular, or none) or the day is unknown."""
    period = PERIOD_DAYS.get(frequency or "")
    if period is None or last_changed is None:
        return None
    age = max(0, (today - last_changed).days)
    slack = grace(period)
    if age <= period:
        state = "fresh"
    elif age <= period + slack:
        state = "due"
    elif age <= 2 * period + slack:
        state = "overdue"
    else:
        state = "delinquent"
    return Freshness(state, max(0, age - period), period)
