"""Derived values are kept where they change (registry.derived): after any sequence of edits,
votes, requests, assessments, overrides, approvals, releases, changes of classification and
measures of city priorities naming records or no longer,
every kept queue score (priorities.standings) equals the one computed from scratch, exactly the
candidates have one, and the dashboard's kept counts (catalog.counts) equal a count of every
record. What moves with time alone (a round closing by the clock, older rounds counting less)
is housekeeping's."""

from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, event, func, select, update

from registry.dashboard import counts
from registry.datasets import services as datasets
from registry.datasets.models import Dataset, DatasetTheme
from registry.datasets.search import find_datasets
from registry.datasets.visibility import RELEASABLE
from registry.db import utcnow
from registry.extensions import db
from registry.performance.services import update_measure
from registry.priorities import queue, requests, rounds, standings
from registry.priorities.models import QueueScore, VotingRound
from registry.priorities.rounds import is_candidate_record
from tests import factories
from tests.functional.test_many_writers import RACERS, bearer, race


def from_scratch(now=None) -> dict[int, tuple]:
    """Every candidate's score as the formula gives it now, without the kept rows."""
    now = now or utcnow()
    candidates = db.session.scalars(select(Dataset).where(is_candidate_record())).all()
    return {
        record.id: (
            override.score if override is not None else formula.total,
            formula.total,
            [(part.name, part.points, part.explanation) for part in formula.parts],
            record.release_target_date or date.max,
            record.title,
            decays,
        )
        for record, formula, override, decays in standings.scored(db.session, candidates, now)
    }


def kept() -> dict[int, tuple]:
    return {
        row.dataset_id: (
            row.score,
            row.formula,
            [
                (part.name, part.points, part.explanation)
                for part in standings.formula_of(row).parts
            ],
            row.target,
            row.title,
            row.decays,
        )
        for row in db.session.scalars(select(QueueScore))
    }


def kept_counts() -> Counter:
    return Counter({tuple(row[:-1]): row[-1] for row in counts.counted()})


def counts_from_scratch() -> Counter:
    ids = list(db.session.scalars(select(Dataset.id)))
    return Counter(
        (department, classification, status, released or None, *flags)
        for department, classification, status, released, *flags in counts._kinds_of(
            db.session, ids
        ).values()
    )


def released_themes_from_scratch() -> dict[str, int]:
    released = (Dataset.status == "published") & Dataset.classification.in_(RELEASABLE)
    return dict(
        db.session.execute(
            select(DatasetTheme.theme, func.count())
            .join(Dataset, Dataset.id == DatasetTheme.dataset_id)
            .where(released)
            .group_by(DatasetTheme.theme)
        ).all()
    )


def search_totals_agree(records) -> None:
    """A search's total as the engine counts it over the scope words equals the count of the
    same matches by the SQL rule (a facet asked for makes find_datasets count by SQL), for every
    kind of reader and the filters the scope words say."""
    department = db.session.get(Dataset, records[0].id).department
    readers = [
        None,
        factories.user("stakeholder"),
        factories.user("steward", departments=[department.code]),
        factories.user("coordinator"),
    ]
    for reader in readers:
        for criteria in (
            {"q": "dataset"},
            {"q": "renamed"},
            {"q": "dataset", "status": "published"},
            {"q": "dataset", "classification": "restricted"},
            {"q": "dataset", "department": department.code},
        ):
            by_words = find_datasets(reader, criteria, facets=())
            by_sql = find_datasets(reader, criteria, facets=("status",))
            assert by_words.total == by_sql.total, (criteria, reader and reader.roles)


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "priority",
                "title",
                "target",
                "classification",
                "themes",
                "assess",
                "request",
                "override",
                "clear-override",
                "vote-and-close",
                "new",
                "published",
                "submit",
                "measure",
                "unmeasure",
            ]
        ),
        st.integers(0, 3),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=OPERATIONS)
def test_every_kept_score_equals_the_score_from_scratch_after_any_changes(app, operations):
    coordinator = factories.user("coordinator")
    members = [factories.user("committee") for _ in range(2)]
    stakeholder = factories.user("stakeholder")
    records = [factories.dataset(release_priority="medium") for _ in range(3)]
    measures = []
    for action, which, value in operations:
        record = records[which % len(records)]
        if action == "priority":
            datasets.update_dataset(
                record,
                {"release_priority": ["high", "medium", "low", "high"][value]},
                actor=coordinator,
                expected_version=record.version,
            )
        elif action == "title":
            datasets.update_dataset(
                record,
                {"title": f"Renamed {value}"},
                actor=coordinator,
                expected_version=record.version,
            )
        elif action == "target":  # a target date comes with the committee's approval
            records.append(factories.approved(target=date(2027, 1, 1) + timedelta(days=value)))
        elif action == "classification" and record.status != "in_committee":
            # (the committee judges a record as its members see it: its level holds meanwhile)
            level = ["public", "restricted", "internal", "sensitive"][value]
            changes = {"classification": level}
            if level in ("sensitive", "restricted"):
                changes["rights"] = "State public records law exemption"
            datasets.update_dataset(
                record, changes, actor=coordinator, expected_version=record.version
            )
        elif action == "themes":
            themes = [["Health"], ["Transportation", "Health"], [], ["Environment"]][value]
            datasets.update_dataset(
                record, {"themes": themes}, actor=coordinator, expected_version=record.version
            )
        elif action == "assess":
            queue.record_assessment(
                record,
                {name: value for name in queue.CRITERIA},
                actor=members[which % len(members)],
            )
        elif action == "request":
            item = factories.data_request()
            requests.answer_request(
                item, {"action": "link", "identifier": record.identifier}, actor=coordinator
            )
        elif action == "override":
            queue.override_score(
                record, {"score": 10.0 * value, "reason": "The mayor asked"}, actor=coordinator
            )
        elif action == "clear-override":
            queue.override_score(record, {"score": None, "reason": "Back"}, actor=coordinator)
        elif action == "vote-and-close":
            voting_round = factories.voting_round(budget=10, max_per_item=3)
            candidate = db.session.scalar(
                select(Dataset.id).where(Dataset.id == record.id, is_candidate_record())
            )
            if candidate is not None:  # a published or restricted record takes no votes
                rounds.set_votes(
                    voting_round, record.identifier, {"votes": value}, actor=stakeholder
                )
            rounds.close_round(voting_round, actor=coordinator)
        elif action == "new":
            records.append(factories.dataset(release_priority="high"))
        elif action == "published":
            records.append(factories.published())
        elif action == "submit":
            records.append(factories.in_committee())
        elif action == "measure":  # a measure of a city priority computed from the record
            measures.append(factories.measure(datasets=[record.identifier]))
        elif action == "unmeasure" and measures:
            measure = measures[value % len(measures)]
            update_measure(measure, {"version": measure.version, "datasets": []}, actor=coordinator)
        db.session.commit()
        assert kept() == from_scratch(), action
        assert kept_counts() == counts_from_scratch(), action
        assert dict(counts.released_themes()) == released_themes_from_scratch(), action
        search_totals_agree(records)


def test_a_round_closing_by_the_clock_counts_at_the_next_housekeeping_pass(app):
    record = factories.dataset(release_priority="low")
    voting_round = factories.voting_round(budget=10, max_per_item=3)
    rounds.set_votes(
        voting_round, record.identifier, {"votes": 3}, actor=factories.user("stakeholder")
    )
    db.session.commit()
    before = kept()[record.id]
    # The clock passes the round's end: nothing is written, so nothing is rescored yet.
    db.session.execute(
        update(VotingRound)
        .where(VotingRound.id == voting_round.id)
        .values(closes_at=utcnow() - timedelta(minutes=1))
    )
    db.session.commit()
    assert kept()[record.id] == before
    assert standings.refresh_standings() >= 1
    db.session.commit()
    after = kept()
    assert after[record.id] != before and after == from_scratch()
    assert db.session.get(VotingRound, voting_round.id).counted_at is not None
    assert standings.refresh_standings() == 0  # counted once


def test_older_rounds_count_less_each_day_and_only_their_records_are_rescored(app):
    voted = factories.dataset(release_priority="low")
    quiet = factories.dataset(release_priority="low")
    popular = [factories.dataset(release_priority="low") for _ in range(3)]
    voting_round = factories.voting_round(budget=10, max_per_item=3)
    stakeholder = factories.user("stakeholder")
    rounds.set_votes(voting_round, voted.identifier, {"votes": 1}, actor=stakeholder)
    for record in popular:  # so that one vote is a tenth of the round's
        rounds.set_votes(voting_round, record.identifier, {"votes": 3}, actor=stakeholder)
    rounds.close_round(voting_round, actor=factories.user("coordinator"))
    db.session.commit()
    today = kept()
    assert today[voted.id][5] is True and today[quiet.id][5] is False

    a_year_on = utcnow() + timedelta(days=365)
    assert standings.refresh_standings(now=a_year_on) == 4
    db.session.commit()
    later = kept()
    assert later[voted.id][0] < today[voted.id][0] and later[quiet.id] == today[quiet.id]
    assert later == from_scratch(a_year_on)
    assert standings.refresh_standings(now=a_year_on) == 0  # once a day


def test_housekeeping_scores_candidates_a_bulk_load_left_without_a_row(app):
    records = [factories.dataset() for _ in range(3)]
    restricted = factories.dataset(classification="restricted")
    db.session.execute(delete(QueueScore).where(QueueScore.dataset_id == records[0].id))
    db.session.execute(  # a row left over for a record no longer a candidate
        QueueScore.__table__.insert(),
        [
            {
                **standings._row(
                    restricted,
                    *standings.scored(db.session, [records[1]], utcnow())[0][1:],
                    utcnow().date(),
                ),
                "dataset_id": restricted.id,
            }
        ],
    )
    db.session.commit()
    assert standings.refresh_standings() == 2
    db.session.commit()
    assert kept() == from_scratch()


def test_a_reader_inside_a_writing_transaction_sees_what_it_wrote(app):
    record = factories.dataset(release_priority="low")
    datasets.update_dataset(
        record,
        {"release_priority": "high"},
        actor=factories.user("coordinator"),
        expected_version=record.version,
    )  # not committed
    [place] = [place for place in queue.release_queue() if place.dataset.id == record.id]
    assert place.formula.parts[0].explanation == "The department rates it high."


def test_an_edit_rescores_only_its_own_record(app):
    others = [factories.dataset() for _ in range(5)]
    record = factories.dataset(release_priority="low")
    written: list[str] = []

    def count(_conn, _cursor, statement, *_):
        if "queue_scores" in statement and not statement.lstrip().upper().startswith("SELECT"):
            written.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        datasets.update_dataset(
            record,
            {"release_priority": "high"},
            actor=factories.user("coordinator"),
            expected_version=record.version,
        )
        db.session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(written) == 2  # its row deleted and written again, nothing else
    assert kept()[record.id][0] > kept()[others[0].id][0] - 100


@pytest.mark.own_database
def test_simultaneous_links_to_one_record_are_all_counted(scratch_app):
    app = scratch_app()
    with app.app_context():
        tokens = [factories.token(factories.user("coordinator")) for _ in range(RACERS)]
        identifier = factories.dataset().identifier
        ids = [factories.data_request().id for _ in range(RACERS)]

    statuses = race(
        app,
        RACERS,
        lambda n, client: (
            client.post(
                f"/api/v1/requests/{ids[n]}/answer",
                json={"action": "link", "identifier": identifier},
                headers=bearer(tokens[n]),
            ).status_code
        ),
    )

    with app.app_context():
        assert statuses == [200] * RACERS
        record = db.session.scalar(select(Dataset).where(Dataset.identifier == identifier))
        assert kept() == from_scratch()
        assert f"{RACERS} data requests" in kept()[record.id][2][2][2]
