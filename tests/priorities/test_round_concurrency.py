"""One stakeholder's votes sent all at once, each request on its own thread and connection, on a
database file (SQLite) or a fresh PostgreSQL database: the budget and the per-item most hold,
and what the ballot says it spent is what its votes add up to."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from registry.extensions import db
from registry.priorities.models import Ballot, RoundVote
from tests import factories
from tests.functional.test_many_writers import RACERS, bearer, race

pytestmark = pytest.mark.own_database


def test_simultaneous_votes_on_many_candidates_stay_within_the_budget(scratch_app):
    app = scratch_app()
    with app.app_context():
        token = factories.token(factories.user("stakeholder"))
        round_id = factories.voting_round(budget=10, max_per_item=3).id
        identifiers = [factories.dataset().identifier for _ in range(RACERS)]

    statuses = race(
        app,
        RACERS,
        lambda n, client: (
            client.put(
                f"/api/v1/rounds/{round_id}/votes/{identifiers[n]}",
                json={"votes": 2},
                headers=bearer(token),
            ).status_code
        ),
    )

    with app.app_context():
        spent = db.session.scalar(select(Ballot.spent))
        given = db.session.scalar(select(func.sum(RoundVote.votes)))
    assert (Counter(statuses), spent, given) == ({200: 5, 422: RACERS - 5}, 10, 10)


def test_simultaneous_changes_to_one_candidate_keep_the_ballot_consistent(scratch_app):
    app = scratch_app()
    with app.app_context():
        token = factories.token(factories.user("stakeholder"))
        round_id = factories.voting_round(budget=10, max_per_item=3).id
        identifier = factories.dataset().identifier

    statuses = race(
        app,
        RACERS,
        lambda n, client: (
            client.put(
                f"/api/v1/rounds/{round_id}/votes/{identifier}",
                json={"votes": n % 4},  # 0 to 3, each twice
                headers=bearer(token),
            ).status_code
        ),
    )

    with app.app_context():
        spent = db.session.scalar(select(Ballot.spent))
        rows = db.session.scalars(select(RoundVote.votes)).all()
    assert statuses == [200] * RACERS
    assert len(rows) <= 1 and spent == sum(rows) and spent <= 3
