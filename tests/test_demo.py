"""The demo city: loaded once for the module into a database of its own, then read."""

import pytest
from sqlalchemy import func, select

from registry.accounts.models import Department, User
from registry.datasets.models import Dataset, dataset_city_priorities
from registry.db import utcnow
from registry.extensions import db
from registry.notifications.models import Notification
from registry.performance.models import CityPriority
from registry.permissions import Role
from registry.priorities import requests, rounds
from registry.priorities.models import Assessment, DataRequest
from registry.reviews.models import Decision, Vote
from registry.reviews.workflow import State


@pytest.fixture
def demo(demo_app):
    with demo_app.app_context():
        yield demo_app
        db.session.rollback()


# The demo database is outside the per-test rollback; these tests only read it.
reads_the_demo = pytest.mark.own_database


@reads_the_demo
def test_demo_creates_a_city_with_every_role(demo):
    roles = {role for user in db.session.scalars(select(User)) for role in user.role_set}
    assert (db.session.scalar(select(func.count(Department.id))), roles) == (12, set(Role))


@reads_the_demo
def test_demo_can_run_twice(demo):
    users = db.session.scalar(select(func.count(User.id)))
    second = demo.test_cli_runner().invoke(args=["demo"])
    assert (second.exit_code, db.session.scalar(select(func.count(User.id)))) == (0, users)
    assert "0 new datasets" in second.output


@reads_the_demo
def test_demo_prints_the_sign_ins(demo):
    output = demo.test_cli_runner().invoke(args=["demo"]).output
    assert "coordinator@riverton.example" in output and "open-data-lead-2026" in output


def test_demo_if_empty_leaves_a_used_registry_alone(app, make):
    make.user("coordinator")
    result = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert (result.exit_code, db.session.scalar(select(func.count(Department.id)))) == (0, 0)


@reads_the_demo
def test_demo_has_datasets_in_every_state_with_votes_and_decisions(demo):
    states = set(db.session.scalars(select(Dataset.status).distinct()))
    methods = set(db.session.scalars(select(Decision.method).distinct()))
    assert states == {str(state) for state in State}
    assert methods == {"votes", "chair"} and db.session.scalar(select(func.count(Vote.id))) > 0


@reads_the_demo
def test_demo_datasets_span_every_classification_and_priority(demo):
    classifications = set(db.session.scalars(select(Dataset.classification).distinct()))
    priorities = set(db.session.scalars(select(Dataset.release_priority).distinct()))
    assert (len(classifications), priorities) == (4, {"high", "medium", "low"})


@reads_the_demo
def test_every_published_demo_record_has_a_distribution(demo):
    published = db.session.scalars(
        select(Dataset).where(Dataset.status.in_([State.PUBLISHED, State.RETIRED]))
    ).all()
    assert published and all(dataset.distributions for dataset in published)


@reads_the_demo
def test_nobody_in_the_demo_starts_with_more_than_five_unread_notices(demo):
    unread = db.session.execute(
        select(Notification.user_id, func.count())
        .where(Notification.read_at.is_(None))
        .group_by(Notification.user_id)
    ).all()
    assert unread and max(count for _, count in unread) <= 5


@reads_the_demo
def test_demo_has_the_program_in_every_state(demo):
    now = utcnow()
    states = sorted(rounds.state_of(item, now) for item in rounds.list_rounds())
    assert states == ["closed", "open"]
    closed = next(item for item in rounds.list_rounds() if item.is_closed(now))
    assert len(rounds.tallies(closed)) >= 10
    assert set(db.session.scalars(select(DataRequest.status))) == set(requests.STATUS_LABELS)
    assert db.session.scalars(requests.overdue_query(now)).all()
    assessed = db.session.scalar(select(func.count(func.distinct(Assessment.dataset_id))))
    assert assessed >= 24
    linked = db.session.scalars(
        select(CityPriority.name).join(
            dataset_city_priorities, dataset_city_priorities.c.priority_id == CityPriority.id
        )
    )
    assert len(set(linked)) == 4
