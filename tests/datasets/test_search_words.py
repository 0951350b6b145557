"""Search as people search (datasets.documents, datasets.spelling), on the database the suite
runs on (SQLite's FTS5 or PostgreSQL's tsvector): subjects and department names, plurals,
misspellings one edit away, the exact title first, "did you mean" when nothing is found, and no
word of a record the reader may not read, ever, in a suggestion."""

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from registry.accounts.models import Department
from registry.accounts.services import update_department
from registry.datasets import spelling
from registry.datasets.search import find_datasets
from registry.extensions import db


@pytest.fixture
def city(make):
    make.department(code="FIN", name="Finance")
    make.department(code="PW", name="Public Works")
    make.department(code="PD", name="Police Department")
    make.published(
        "FIN",
        title="Vendor Payments",
        description="Every payment to a vendor.",
        keywords=["procurement"],
        themes=["Budget and Finance"],
    )
    make.published(
        "PW",
        title="Street Tree Inventory",
        description="Each tree the city keeps.",
        keywords=["urban forest"],
        themes=["Environment"],
    )
    make.published("PW", title="Sewer Mains", keywords=["pipes"], themes=["Infrastructure"])
    make.published("PD", title="Traffic Collisions", keywords=["crashes", "Vision Zero"])
    make.published("PD", title="Informant Payments", classification="restricted")
    db.session.commit()


def titles(q: str, reader=None) -> list[str]:
    reader = reader or AnonymousUserMixin()
    result = find_datasets(reader, {"page": 1, "per_page": 25, "q": q})
    return [dataset.title for dataset in result.items]


def test_a_subject_or_a_department_name_finds_the_records_under_it(city):
    assert titles("budget") == ["Vendor Payments"]  # its theme: Budget and Finance
    assert titles("finance payments") == ["Vendor Payments"]
    assert set(titles("public works")) == {"Street Tree Inventory", "Sewer Mains"}


def test_a_plural_finds_the_singular_and_the_singular_the_plural(city):
    assert titles("trees") == ["Street Tree Inventory"]
    assert titles("collision") == ["Traffic Collisions"]
    assert titles("crash") == ["Traffic Collisions"]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("bugdet", "Vendor Payments"),  # two letters swapped
        ("vendr", "Vendor Payments"),  # a letter dropped
        ("collisoins", "Traffic Collisions"),
        ("invemtory", "Street Tree Inventory"),  # a letter changed
        ("sewerr", "Sewer Mains"),  # a letter added
    ],
)
def test_a_word_of_five_letters_or_more_one_edit_away_still_finds_the_record(city, typed, found):
    assert titles(typed) == [found]


def test_the_exact_title_comes_first(city, make):
    make.published("PW", title="Sewer Sewer Sewer Sewer Overflows", keywords=["sewer"])
    make.published("PW", title="Sewer", description="The sewer network, by segment.")
    db.session.commit()
    assert titles("sewer")[0] == "Sewer"
    assert titles("Sewer Mains")[0] == "Sewer Mains"


def test_did_you_mean_when_nothing_is_found(city, client):
    result = find_datasets(AnonymousUserMixin(), {"page": 1, "per_page": 25, "q": "bxdgxt"})
    assert result.total == 0 and result.suggestion == "budget"
    html = client.get("/catalog?q=bxdgxt").get_data(as_text=True)
    assert 'id="did-you-mean"' in html and "budget</a>?" in html
    answer = client.get("/api/v1/datasets?q=bxdgxt").get_json()
    assert answer["total"] == 0 and answer["suggestion"] == "budget"
    assert client.get("/api/v1/datasets?q=budget").get_json()["suggestion"] is None


def test_no_word_of_a_record_the_reader_may_not_read_is_suggested_or_found(city, client, make):
    # The vocabulary holds only words anyone may read: whether a word is known (and so not
    # corrected) tells no one what a restricted record says.
    assert "informant" in spelling.words_of(["Informant Payments"])
    assert not spelling.known("informant") and spelling.known("payments")
    for typed in ("informamt", "infromant", "imformamt"):
        result = find_datasets(AnonymousUserMixin(), {"page": 1, "per_page": 25, "q": typed})
        assert result.items == [] and result.total == 0 and result.suggestion is None
        html = client.get(f"/catalog?q={typed}").get_data(as_text=True)
        assert "nformant" not in html.replace(typed, "")
    # Those who may read it find it by its words.
    assert titles("informant", make.user("coordinator")) == ["Informant Payments"]


def test_a_department_renamed_is_found_by_its_new_name(city, make):
    works = db.session.scalar(select(Department).where(Department.code == "PW"))
    update_department(works, {"name": "Streets and Sanitation"}, actor=make.user("coordinator"))
    db.session.commit()
    assert set(titles("sanitation")) == {"Street Tree Inventory", "Sewer Mains"}
    assert titles("works") == []


@pytest.mark.parametrize(
    ("first", "second", "edits"),
    [
        ("budget", "budget", 0),
        ("budget", "bugdet", 1),
        ("budget", "budgets", 1),
        ("budget", "budet", 1),
        ("budget", "bxdget", 1),
        ("budget", "bxdgxt", 2),
        ("trees", "terse", 2),
    ],
)
def test_distance_counts_edits_with_neighbours_swapped_as_one(first, second, edits):
    assert spelling.distance(first, second) == edits == spelling.distance(second, first)


def test_the_public_inventory_searches_titles_alone(city, make, client):
    make.approved("PW", title="Hydrant Flushing", description="Where the zanzibar valves are.")
    db.session.commit()
    page = client.get("/inventory?q=hydrants").get_data(as_text=True)
    assert "Hydrant Flushing" in page and "Sewer Mains" not in page
    assert "Sewer Mains" in client.get("/inventory?q=sewerr").get_data(as_text=True)
    # An unreleased record's description is not shown, so its words do not find it.
    assert "Hydrant Flushing" not in client.get("/inventory?q=zanzibar").get_data(as_text=True)
    assert "Informant" not in client.get("/inventory?q=informant").get_data(as_text=True)
    assert 'id="q"' in page and 'value="hydrants"' in page


def test_the_search_boxes_offer_examples_that_find_released_records(city, client):
    home = client.get("/").get_data(as_text=True)
    examples = home.split('id="home-q" name="q" placeholder="Search: ')[1].split("…")[0]
    assert examples and examples in client.get("/catalog").get_data(as_text=True)
    for example in examples.split(", "):
        assert find_datasets(AnonymousUserMixin(), {"page": 1, "per_page": 5, "q": example}).total
