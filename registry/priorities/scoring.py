"""The release priority score: one documented, pure function (no Flask, no database) that ranks
what the city releases first, and says why.

    score = 100 * (0.20 * department + 0.30 * stakeholders + 0.15 * requests
                   + 0.05 * city priority + 0.10 * measures + 0.20 * committee)

each part running from 0 to 1:

- department: the department's own priority: high 1, medium 0.5, low 0.
- stakeholders: the votes of closed rounds. In each round, the record's share of all the votes
  cast (so a large round counts no more than a small one), halved for every year since the round
  closed; the shares add up, and a fifth of one recent round's votes counts in full.
- requests: data requests linked to the record; three or more count in full.
- city priority: 1 when the record supports at least one of the city's strategic priorities.
- measures: the measures of city priorities computed from the record (performance
  management): each one it feeds earns half, two or more count in full. Only records not yet
  released are in the queue, so this is the data a measure needs and the public cannot see.
- committee: the members' average assessment of the five criteria of NYC's open data law
  (accountability, public knowledge of the city, the department's mission, economic
  opportunity, demand shown by the public), 0 to 3 each, as a share of the most (3); 0 until
  assessed.

A coordinator may override a score, with a reason; the queue then shows both.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

WEIGHTS = {
    "department": 0.20,
    "stakeholders": 0.30,
    "requests": 0.15,
    "city_priority": 0.05,
    "measures": 0.10,
    "committee": 0.20,
}
DEPARTMENT = {"high": 1.0, "medium": 0.5, "low": 0.0}
HALF_LIFE_DAYS = 365
FULL_SHARE = 0.2  # a fifth of a round's votes counts in full
FULL_REQUESTS = 3
FULL_MEASURES = 2
CRITERIA = (
    "accountability",
    "public_knowledge",
    "department_mission",
    "economic_opportunity",
    "public_demand",
)
CRITERIA_LABELS = {
    "accountability": "Accountability",
    "public_knowledge": "Public knowledge of the city",
    "department_mission": "The department's mission",
    "economic_opportunity": "Economic opportunity",
    "public_demand": "Demand shown by the public",
}
PART_LABELS = {
    "department": "Department's priority",
    "stakeholders": "Stakeholder votes",
    "requests": "Data requests",
    "city_priority": "Supports a city priority",
    "measures": "Feeds measures of city priorities",
    "committee": "Committee's assessment",
}

# When each part earns its full points, in words (the queue page shows them beside the weights).
PART_RULES = {
    "department": "the department rates it high priority (medium earns half).",
    "stakeholders": "it drew a fifth of a closed round's votes; a round counts half as much "
    "after a year.",
    "requests": f"{FULL_REQUESTS} or more data requests asked for it.",
    "city_priority": "it supports one of the city's strategic priorities.",
    "measures": f"{FULL_MEASURES} or more measures of city priorities are computed from it "
    "(one earns half).",
    "committee": "every committee member rated all five criteria 3 of 3.",
}


@dataclass(frozen=True)
class RoundShare:
    """One closed round's verdict on a candidate."""

    votes: int  # the record's votes in the round
    total: int  # every vote cast in the round
    age_days: int  # days since the round closed


@dataclass(frozen=True)
class Inputs:
    department_priority: str
    rounds: Sequence[RoundShare] = ()
    linked_requests: int = 0
    supports_city_priority: bool = False
    feeds_measures: int = 0  # measures of city priorities computed from the record
    # Each member's assessment: five numbers 0 to 3, in CRITERIA order.
    assessments: Sequence[Sequence[int]] = ()


@dataclass(frozen=True)
class Part:
    name: str
    value: float  # 0 to 1
    weight: float
    explanation: str

    @property
    def points(self) -> float:
        return round(100 * self.weight * self.value, 1)


@dataclass(frozen=True)
class Score:
    parts: tuple[Part, ...]

    @property
    def total(self) -> float:
        return round(sum(part.points for part in self.parts), 1)


def _decayed_share(share: RoundShare) -> float:
    if share.total <= 0:
        return 0.0
    return share.votes / share.total * 0.5 ** (share.age_days / HALF_LIFE_DAYS)


def _average(assessments: Iterable[Sequence[int]]) -> list[float] | None:
    rows = [list(row) for row in assessments]
    if not rows:
        return None
    return [sum(row[index] for row in rows) / len(rows) for index in range(len(CRITERIA))]


def score(inputs: Inputs) -> Score:
    """The score of one candidate and each part's contribution ("why here")."""
    department = DEPARTMENT.get(inputs.department_priority, 0.5)
    shares = sum(_decayed_share(share) for share in inputs.rounds)
    stakeholders = min(1.0, shares / FULL_SHARE)
    requests = min(1.0, inputs.linked_requests / FULL_REQUESTS)
    city = 1.0 if inputs.supports_city_priority else 0.0
    measures = min(1.0, inputs.feeds_measures / FULL_MEASURES)
    average = _average(inputs.assessments)
    committee = 0.0 if average is None else sum(average) / (3 * len(CRITERIA))
    votes = sum(share.votes for share in inputs.rounds)
    parts = (
        Part(
            "department",
            department,
            WEIGHTS["department"],
            f"The department rates it {inputs.department_priority}.",
        ),
        Part(
            "stakeholders",
            stakeholders,
            WEIGHTS["stakeholders"],
            f"{votes} stakeholder vote{'' if votes == 1 else 's'} in {len(inputs.rounds)} "
            f"closed round{'' if len(inputs.rounds) == 1 else 's'}"
            + (
                f" ({shares:.0%} of a round's votes, older rounds counting less)." if votes else "."
            ),
        ),
        Part(
            "requests",
            requests,
            WEIGHTS["requests"],
            f"{inputs.linked_requests} data request{'' if inputs.linked_requests == 1 else 's'} "
            "asked for it.",
        ),
        Part(
            "city_priority",
            city,
            WEIGHTS["city_priority"],
            "Supports a city priority." if city else "Linked to no city priority.",
        ),
        Part(
            "measures",
            measures,
            WEIGHTS["measures"],
            f"Feeds {inputs.feeds_measures} measure{'' if inputs.feeds_measures == 1 else 's'} "
            "of city priorities."
            if inputs.feeds_measures
            else "Feeds no measure of a city priority.",
        ),
        Part(
            "committee",
            committee,
            WEIGHTS["committee"],
            "Not yet assessed by the committee."
            if average is None
            else f"Committee's average: {sum(average) / len(CRITERIA):.1f} of 3 across the five "
            f"criteria ({len(list(inputs.assessments))} member"
            f"{'' if len(list(inputs.assessments)) == 1 else 's'}).",
        ),
    )
    return Score(parts)
