from sqlalchemy import func, select

from registry.accounts.models import Department, User
from registry.extensions import db
from registry.permissions import Role


def test_demo_creates_a_city_with_every_role(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    roles = {role for user in db.session.scalars(select(User)) for role in user.role_set}
    assert result.exit_code == 0, result.output
    assert (db.session.scalar(select(func.count(Department.id))), roles) == (12, set(Role))


def test_demo_can_run_twice(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    users = db.session.scalar(select(func.count(User.id)))
    second = runner.invoke(args=["demo"])
    assert (second.exit_code, db.session.scalar(select(func.count(User.id)))) == (0, users)


def test_demo_prints_the_sign_ins(app):
    output = app.test_cli_runner().invoke(args=["demo"]).output
    assert "coordinator@riverton.example" in output and "demo-coordinator-2026" in output


def test_demo_if_empty_leaves_a_used_registry_alone(app, make):
    make.user("coordinator")
    result = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert (result.exit_code, db.session.scalar(select(func.count(Department.id)))) == (0, 0)


def test_demo_has_datasets_in_every_state_with_votes_and_decisions(app):
    from registry.datasets.models import Dataset
    from registry.reviews.models import Decision, Vote
    from registry.reviews.workflow import State

    app.test_cli_runner().invoke(args=["demo"])
    states = set(db.session.scalars(select(Dataset.status).distinct()))
    methods = set(db.session.scalars(select(Decision.method).distinct()))
    assert states == {str(state) for state in State}
    assert methods == {"votes", "chair"} and db.session.scalar(select(func.count(Vote.id))) > 0


def test_demo_datasets_span_every_classification_and_priority(app):
    from registry.datasets.models import Dataset

    app.test_cli_runner().invoke(args=["demo"])
    classifications = set(db.session.scalars(select(Dataset.classification).distinct()))
    priorities = set(db.session.scalars(select(Dataset.release_priority).distinct()))
    assert (len(classifications), priorities) == (4, {"high", "medium", "low"})
