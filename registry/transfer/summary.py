"""What the preview page shows of an import: its report in counts and short lists, the same
whether the import ran in the request or in the background (kept with its job as JSON)."""

from dataclasses import asdict, dataclass, field
from typing import Any

from registry.transfer.headers import Matching

SHOWN = 200  # problems, rows not released, values to map: at most this many are listed


@dataclass
class Summary:
    sheet: str
    rows: int
    headers: list[str]
    fields: dict[int, str]  # column position -> field
    dropped: list[int]
    ignored: list[str]  # headers kept as additional fields
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)  # the first few
    skipped_count: int = 0
    repeated: list[tuple[int, str, str]] = field(default_factory=list)  # (row, record, title)
    repeated_count: int = 0
    released: int = 0
    not_released: list[tuple[int, str]] = field(default_factory=list)
    departments_created: dict[str, str] = field(default_factory=dict)
    themes_created: list[str] = field(default_factory=list)
    themes_missing: dict[str, list[int]] = field(default_factory=dict)
    classified: int = 0
    unknown_values: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problem_count

    @property
    def matching(self) -> Matching:
        return Matching(self.fields, self.headers, self.ignored, frozenset(self.dropped))

    @classmethod
    def of(cls, report) -> "Summary":
        matching = report.matching
        return cls(
            sheet=report.sheet,
            rows=report.rows,
            headers=list(matching.headers),
            fields=dict(matching.fields),
            dropped=sorted(matching.dropped),
            ignored=list(matching.ignored),
            problems=[str(problem) for problem in report.problems[:SHOWN]],
            problem_count=len(report.problems),
            created=len(report.created),
            updated=len(report.updated),
            unchanged=len(report.unchanged),
            skipped=[(number, str(found)) for number, found in report.skipped[:10]],
            skipped_count=len(report.skipped),
            repeated=[(n, str(found), title) for n, found, title in report.repeated[:SHOWN]],
            repeated_count=len(report.repeated),
            released=len(report.released),
            not_released=list(report.not_released[:SHOWN]),
            departments_created=dict(report.departments_created),
            themes_created=list(report.themes_created),
            themes_missing={name: rows[:6] for name, rows in report.themes_missing.items()},
            classified=report.classified,
            unknown_values={
                name: counted.most_common() for name, counted in report.unknown_values.items()
            },
        )

    def as_json(self) -> dict[str, Any]:
        values = asdict(self)
        values["fields"] = {str(position): name for position, name in self.fields.items()}
        return values

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> "Summary":
        values = dict(stored)
        values["fields"] = {int(position): name for position, name in stored["fields"].items()}
        for name in ("skipped", "not_released", "repeated"):
            values[name] = [tuple(pair) for pair in stored.get(name) or []]
        values["unknown_values"] = {
            name: [tuple(pair) for pair in pairs]
            for name, pairs in (stored.get("unknown_values") or {}).items()
        }
        return cls(**values)
