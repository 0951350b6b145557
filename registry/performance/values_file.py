"""A measure's values from a CSV or XLSX file: a column of periods, one of values, and notes
and reasons if any, under the headers people give them ("Month", "Actual", "Comments"). Every
row goes through the same service as the page's form; one refused row refuses the file, with
each problem by its row, and nothing is saved."""

from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError

from registry.performance import services
from registry.performance.models import Measure
from registry.performance.rules import PeriodError, parse_period
from registry.transfer.headers import squash
from registry.transfer.lenient import plain
from registry.transfer.workbooks import ImportRefused, read_table

# Each field's headers, squashed (no case, spaces or punctuation).
HEADERS = {
    "period": {
        "period",
        "reportingperiod",
        "month",
        "quarter",
        "year",
        "fiscalyear",
        "date",
        "periodending",
        "periodstart",
    },
    "value": {"value", "actual", "actualvalue", "result", "amount", "count", "total", "measure"},
    "note": {"note", "notes", "comment", "comments"},
    "reason": {"reason", "correctionreason", "whycorrected", "reasonforcorrection"},
}
SHOWN_PROBLEMS = 20


@dataclass
class Outcome:
    reported: int = 0
    corrected: int = 0
    unchanged: int = 0

    def count(self, done) -> None:
        if not done.changed:
            self.unchanged += 1
        elif done.corrected:
            self.corrected += 1
        else:
            self.reported += 1

    def sentence(self) -> str:
        return (
            f"Read the file: {self.reported} value{'' if self.reported == 1 else 's'} reported, "
            f"{self.corrected} corrected, {self.unchanged} already as reported."
        )


def _columns(headers: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        for name, words in HEADERS.items():
            if squash(header) in words and name not in found:
                found[name] = index
    missing = [name for name in ("period", "value") if name not in found]
    if missing:
        raise ValidationError(
            {
                "file": [
                    f"The file has no {' or '.join(missing)} column: give a header row with "
                    "“Period” and “Value” (and “Note”, and “Reason” for corrections)."
                ]
            }
        )
    return found


def _messages(exc: ValidationError) -> list[str]:
    found = []
    for field, messages in (exc.messages if isinstance(exc.messages, dict) else {}).items():
        for message in messages if isinstance(messages, list) else [messages]:
            found.append(f"{field}: {message}")
    return found or [str(exc.messages)]


def _raw(cells: list[Any], columns: dict[str, int]) -> dict[str, str]:
    """A row's fields as the form would send them (a date cell as its day)."""
    raw = {
        name: plain(cells[index]) if index < len(cells) else None for name, index in columns.items()
    }
    return {key: "" if value is None else str(value) for key, value in raw.items()}


def _period(raw: dict[str, str], frequency: str):
    try:
        return parse_period(raw["period"], frequency)
    except PeriodError:
        return None  # the service says what is wrong with it


def import_values(measure: Measure, filename: str, data: bytes, *, actor) -> Outcome:
    services.check_may_keep(actor, measure)
    if not filename.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
        raise ValidationError({"file": ["Choose a .csv or .xlsx file of periods and values."]})
    try:
        table = read_table(filename, data, rows_are="values")
    except ImportRefused as exc:
        raise ValidationError({"file": [exc.message]}) from None
    columns = _columns(table.headers)
    outcome, problems, seen = Outcome(), [], {}
    for number, cells in table.rows:
        raw = _raw(cells, columns)
        period = _period(raw, measure.frequency)
        if period is not None and period in seen:
            problems.append(f"Row {number}: the same period as row {seen[period]}.")
            continue
        seen[period] = number
        try:
            done = services.report_value(measure, raw, actor=actor, lock=len(seen) == 1)
        except ValidationError as exc:
            problems += [f"Row {number}: {message}" for message in _messages(exc)]
            continue
        outcome.count(done)
    if problems:
        more = len(problems) - SHOWN_PROBLEMS
        shown = problems[:SHOWN_PROBLEMS] + ([f"…and {more} more."] if more > 0 else [])
        raise ValidationError({"file": ["Nothing was saved.", *shown]})
    return outcome
