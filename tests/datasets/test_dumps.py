"""Kept dumps of records (registry.datasets.dumps): the API's listing answers exactly what a
fresh dump would after every kind of change a dump is made of (an edit, themes, a department's
name, a steward's name, a city priority's name), and what depends on the reader is never kept."""

import pytest
from sqlalchemy import select

from registry.accounts.models import Department, User
from registry.accounts.services import update_department, update_user
from registry.datasets import dumps
from registry.datasets.models import Dataset
from registry.datasets.schemas import DatasetOut
from registry.datasets.services import update_dataset
from registry.extensions import db
from registry.priorities.program import save_city_priority


@pytest.fixture
def city(make):
    make.department(code="PW", name="Public Works")
    priority = make.city_priority("Safe streets")
    make.user("steward", departments=["PW"], email="pw.steward@city.example")
    make.published(
        "PW",
        steward="pw.steward@city.example",
        title="Street trees",
        themes=["Environment"],
        city_priorities=["Safe streets"],
    )
    return priority


def record() -> Dataset:
    db.session.expire_all()
    return db.session.scalar(select(Dataset).where(Dataset.identifier.is_not(None)))


def listed(client) -> dict:
    items = client.get("/api/v1/datasets").get_json()["items"]
    assert len(items) == 1
    return items[0]


def fresh() -> dict:
    return DatasetOut().dump(record())


def assert_kept_is_fresh() -> None:
    assert dumps.dumped([record()]) == [fresh()]


def test_a_kept_dump_is_the_fresh_dump_after_every_change_it_is_made_of(city, make):
    coordinator = make.user("coordinator")
    assert_kept_is_fresh()
    assert dumps.dumped([record()]) == [fresh()]  # from the kept one now

    dataset = record()
    update_dataset(
        dataset, {"description": "Now with species.", "version": dataset.version}, actor=coordinator
    )
    db.session.commit()
    assert fresh()["description"] == "Now with species."
    assert_kept_is_fresh()

    dataset = record()
    update_dataset(
        dataset, {"themes": ["Transportation"], "version": dataset.version}, actor=coordinator
    )
    db.session.commit()
    assert fresh()["themes"] == ["Transportation"]
    assert_kept_is_fresh()

    works = db.session.scalar(select(Department).where(Department.code == "PW"))
    update_department(works, {"name": "Streets and Parks"}, actor=coordinator)
    db.session.commit()
    assert fresh()["department_name"] == "Streets and Parks"
    assert_kept_is_fresh()

    steward = db.session.scalar(select(User).where(User.email == "pw.steward@city.example"))
    update_user(steward, {"name": "Renamed Steward"}, actor=coordinator, partial=True)
    db.session.commit()
    assert fresh()["steward_name"] == "Renamed Steward"
    assert_kept_is_fresh()

    save_city_priority({"name": "Safer streets"}, actor=coordinator, priority=city)
    db.session.commit()
    assert fresh()["city_priorities"] == ["Safer streets"]
    assert_kept_is_fresh()


def test_the_listing_answers_each_reader_as_a_fresh_dump_would(city, make, client):
    first = listed(client)
    assert first["steward"] is None and first["version"] is None  # a visitor's
    coordinator = make.user("coordinator")
    works = db.session.scalar(select(Department).where(Department.code == "PW"))
    update_department(works, {"name": "Streets and Parks"}, actor=coordinator)
    db.session.commit()
    assert listed(client)["department_name"] == "Streets and Parks"
    token = make.token(coordinator)
    signed_in = client.get(
        "/api/v1/datasets", headers={"Authorization": f"Bearer {token.secret}"}
    ).get_json()["items"][0]
    assert signed_in["steward"] == "pw.steward@city.example"
    assert signed_in["version"] == record().version
    # The reader's view was never kept: the visitor still sees neither.
    again = listed(client)
    assert again["steward"] is None and again["version"] is None


def test_kept_dumps_are_bounded(city):
    kept = dumps._Kept(size=2)
    dataset = record()
    for version in range(5):
        dataset.version = version
        kept.dump(dataset)
    assert len(kept.dumps) == 2
    db.session.rollback()
