"""Kept dumps of records (registry.datasets.dumps): the API's listing answers exactly what a
fresh dump would after every kind of change a dump is made of (an edit, themes, a department's
name, a steward's name, a city priority's name or its removal), and what depends on the reader
is never kept. What moves the names' generation (registry.derived.NAMES) and what does not."""

import pytest
from sqlalchemy import select, update

from registry.accounts.models import Department, User
from registry.accounts.services import update_department, update_user
from registry.datasets import dumps
from registry.datasets.models import Dataset
from registry.datasets.schemas import DatasetOut
from registry.datasets.services import update_dataset
from registry.derived import NAMES, generation
from registry.extensions import db
from registry.performance.models import CityPriority
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


def kept_dump() -> dict:
    ((dump, _),) = dumps.dumped_briefs(dumps.briefs_of([record().id]))
    return dump


def assert_kept_is_fresh() -> None:
    assert kept_dump() == fresh()


def test_a_kept_dump_is_the_fresh_dump_after_every_change_it_is_made_of(city, make):
    coordinator = make.user("coordinator")
    assert_kept_is_fresh()
    assert dumps._kept().find(dumps.briefs_of([record().id])[0].key) == fresh()  # kept
    assert_kept_is_fresh()  # from the kept one now

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

    db.session.delete(db.session.get(CityPriority, city.id))
    db.session.commit()
    assert fresh()["city_priorities"] == []
    assert_kept_is_fresh()


def test_the_names_generation_moves_for_a_shown_name_only(city, make):
    coordinator = make.user("coordinator")
    before = generation(NAMES)
    make.department(code="PK", name="Parks")  # shown in no dump yet
    make.user("steward", departments=["PK"], email="pk.steward@city.example")
    db.session.commit()
    assert generation(NAMES) == before
    steward = db.session.scalar(select(User).where(User.email == "pk.steward@city.example"))
    update_user(steward, {"roles": ["steward", "stakeholder"]}, actor=coordinator, partial=True)
    db.session.commit()
    assert generation(NAMES) == before  # not a name
    update_user(steward, {"name": "Parks Steward"}, actor=coordinator, partial=True)
    db.session.commit()
    assert generation(NAMES) == before + 1


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


def test_a_brief_and_its_loaded_record_have_one_key(city):
    dataset = record()
    (brief,) = dumps.briefs_of([dataset.id])
    assert brief.key == dumps.fingerprint(dataset, generation(NAMES))
    assert dumps.briefs_of([]) == [] and dumps.briefs_of([dataset.id + 1000]) == []


def test_a_record_changed_after_its_brief_was_read_is_dumped_and_judged_as_it_now_is(city, client):
    dataset = record()
    (brief,) = dumps.briefs_of([dataset.id])
    # Another connection's write between the page's query and the dumps (as on PostgreSQL,
    # where each statement reads the latest committed state).
    db.session.execute(
        update(Dataset)
        .where(Dataset.id == dataset.id)
        .values(title="Informants", classification="restricted", version=Dataset.version + 1)
    )
    ((dump, judged),) = dumps.dumped_briefs([brief])
    assert dump["title"] == "Informants" and judged.classification == "restricted"
    assert isinstance(judged, Dataset)
    db.session.rollback()


def test_the_listing_leaves_out_a_record_no_longer_readable_when_its_dump_is_made(
    city, client, monkeypatch
):
    dataset = record()
    stale = dumps.briefs_of([dataset.id])
    db.session.execute(
        update(Dataset)
        .where(Dataset.id == dataset.id)
        .values(classification="restricted", version=Dataset.version + 1)
    )
    db.session.commit()
    # The page's query ran before the change: its briefs say the record was public.
    monkeypatch.setattr(dumps, "briefs", lambda statement: stale)
    answer = client.get("/api/v1/datasets?sort=title").get_json()
    assert answer["items"] == []


def test_kept_dumps_are_bounded(city):
    kept = dumps._Kept(size=2)
    dataset = record()
    for names in range(5):
        kept.keep(dataset, names)
    assert len(kept.dumps) == 2
