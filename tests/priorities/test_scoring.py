"""The priority score's documented cases, each worked out by hand from the formula as the README
states it (out of 100: department 20, stakeholder votes 30, data requests 15, a city priority 5,
feeding measures of city priorities 10, the committee's assessment 20), and the properties any
such score must keep."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.priorities.scoring import Inputs, RoundShare, score


def points(**inputs) -> float:
    return score(Inputs(**{"department_priority": "low", **inputs})).total


@pytest.mark.parametrize(("priority", "expected"), [("high", 20.0), ("medium", 10.0), ("low", 0.0)])
def test_the_departments_priority_alone(priority, expected):
    assert points(department_priority=priority) == expected


@pytest.mark.parametrize(
    ("votes", "total", "age_days", "expected"),
    [
        (20, 100, 0, 30.0),  # a fifth of a round's votes counts in full
        (10, 100, 0, 15.0),  # a tenth, half
        (50, 100, 0, 30.0),  # more than a fifth is still full
        (20, 100, 365, 15.0),  # a year later the round counts half
        (20, 100, 730, 7.5),  # two years, a quarter
        (0, 100, 0, 0.0),
        (0, 0, 0, 0.0),  # a round nobody voted in
    ],
)
def test_stakeholder_votes(votes, total, age_days, expected):
    assert points(rounds=[RoundShare(votes, total, age_days)]) == expected


def test_a_large_round_counts_no_more_than_a_small_one():
    small = points(rounds=[RoundShare(2, 20, 0)])
    large = points(rounds=[RoundShare(200, 2000, 0)])
    assert small == large == 15.0


def test_two_rounds_add_up():
    assert points(rounds=[RoundShare(5, 100, 0), RoundShare(5, 100, 0)]) == 15.0


@pytest.mark.parametrize(("requests", "expected"), [(0, 0.0), (1, 5.0), (3, 15.0), (7, 15.0)])
def test_data_requests(requests, expected):
    assert points(linked_requests=requests) == expected


def test_a_city_priority():
    assert points(supports_city_priority=True) == 5.0


@pytest.mark.parametrize(("measures", "expected"), [(0, 0.0), (1, 5.0), (2, 10.0), (5, 10.0)])
def test_feeding_measures_of_city_priorities(measures, expected):
    # One measure computed from the record earns half of 10; two or more, all of it.
    assert points(feeds_measures=measures) == expected


@pytest.mark.parametrize(
    ("assessments", "expected"),
    [
        ([], 0.0),  # not assessed
        ([[3, 3, 3, 3, 3]], 20.0),
        ([[0, 0, 0, 0, 0]], 0.0),
        ([[3, 3, 3, 3, 3], [0, 0, 0, 0, 0]], 10.0),  # the members' average
        ([[3, 0, 3, 0, 3]], 12.0),  # 9 of 15
    ],
)
def test_the_committees_assessment(assessments, expected):
    assert points(assessments=assessments) == expected


def test_everything_at_its_best_is_100():
    assert (
        points(
            department_priority="high",
            rounds=[RoundShare(1, 5, 0)],
            linked_requests=3,
            supports_city_priority=True,
            feeds_measures=2,
            assessments=[[3] * 5],
        )
        == 100.0
    )


def test_why_here_names_each_input():
    parts = score(
        Inputs(
            department_priority="high",
            rounds=[RoundShare(4, 40, 0)],
            linked_requests=2,
            supports_city_priority=False,
            feeds_measures=1,
            assessments=[[2] * 5, [1] * 5],
        )
    ).parts
    assert [part.explanation for part in parts] == [
        "The department rates it high.",
        "4 stakeholder votes in 1 closed round (10% of a round's votes, older rounds counting "
        "less).",
        "2 data requests asked for it.",
        "Linked to no city priority.",
        "Feeds 1 measure of city priorities.",
        "Committee's average: 1.5 of 3 across the five criteria (2 members).",
    ]


rounds = st.lists(
    st.builds(
        RoundShare,
        votes=st.integers(0, 500),
        total=st.integers(0, 5000),
        age_days=st.integers(0, 3000),
    ).filter(lambda share: share.votes <= share.total),
    max_size=5,
)
assessment = st.lists(st.integers(0, 3), min_size=5, max_size=5)
inputs = st.builds(
    Inputs,
    department_priority=st.sampled_from(["high", "medium", "low"]),
    rounds=rounds,
    linked_requests=st.integers(0, 50),
    supports_city_priority=st.booleans(),
    feeds_measures=st.integers(0, 10),
    assessments=st.lists(assessment, max_size=6),
)


@given(inputs)
def test_a_score_is_between_0_and_100_and_its_parts_add_up(candidate):
    result = score(candidate)
    assert 0 <= result.total <= 100
    assert abs(result.total - sum(part.points for part in result.parts)) < 0.05


@given(inputs, st.integers(1, 50))
def test_another_request_never_lowers_a_score(candidate, more):
    more_asked = Inputs(
        **{**candidate.__dict__, "linked_requests": candidate.linked_requests + more}
    )
    assert score(more_asked).total >= score(candidate).total
