"""Full-text search in the database's own engine, filters, sorting, pagination and facets."""

import pytest

from registry.datasets.documents import search_terms
from registry.datasets.search import find_datasets


@pytest.fixture
def inventory(make):
    make.department(code="PW")
    make.department(code="PR")
    return {
        "trees": make.dataset(
            department="PW",
            title="Street Tree Inventory",
            keywords=["urban forest"],
            themes=["Environment"],
            release_priority="high",
        ),
        "potholes": make.dataset(
            department="PW",
            title="Pothole Repairs",
            description="Repairs of street potholes.",
            themes=["Infrastructure"],
            release_priority="low",
        ),
        "parks": make.dataset(
            department="PR",
            title="Park Amenities",
            description="Trees, benches and fountains.",
            classification="internal",
            themes=["Environment", "Recreation"],
        ),
    }


@pytest.fixture
def find(make):
    reader = make.user("auditor")

    def _find(**criteria):
        return find_datasets(reader, {"page": 1, "per_page": 25, **criteria})

    return _find


def titles(result):
    return [dataset.title for dataset in result.items]


def test_search_covers_title_description_and_keywords(inventory, find):
    assert titles(find(q="forest")) == ["Street Tree Inventory"]
    assert titles(find(q="fountains")) == ["Park Amenities"]


def test_words_match_as_prefixes_and_stems(inventory, find):
    assert titles(find(q="pothol")) == ["Pothole Repairs"]
    assert titles(find(q="repair")) == ["Pothole Repairs"]


def test_every_word_must_match(inventory, find):
    assert titles(find(q="street pothole")) == ["Pothole Repairs"]


def test_a_title_match_ranks_above_a_description_match(inventory, find):
    assert titles(find(q="tree")) == ["Street Tree Inventory", "Park Amenities"]


@pytest.mark.parametrize("q", ['"unbalanced', "tree* OR -", "AND", "NEAR(", "');--", "😀"])
def test_any_text_is_a_search_never_an_error(inventory, find, q):
    assert find(q=q).total >= 0


def test_search_terms_are_words_only():
    assert search_terms('"Trees"; DROP TABLE x -- *') == ["trees", "drop", "table", "x"]


def test_filters_combine(inventory, find):
    result = find(department="PW", theme="Environment")
    assert titles(result) == ["Street Tree Inventory"]


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"release_priority": "low"}, ["Pothole Repairs"]),
        ({"classification": "internal"}, ["Park Amenities"]),
        ({"status": "draft", "department": "PR"}, ["Park Amenities"]),
        ({"theme": "Recreation"}, ["Park Amenities"]),
    ],
)
def test_each_filter(inventory, find, criteria, expected):
    assert titles(find(**criteria)) == expected


def test_sorting_by_title_and_priority(inventory, find):
    assert titles(find(sort="title")) == [
        "Park Amenities",
        "Pothole Repairs",
        "Street Tree Inventory",
    ]
    assert titles(find(sort="priority"))[0] == "Street Tree Inventory"


def test_pagination_reports_the_total(inventory, find):
    result = find(sort="title", page=2, per_page=2)
    assert (titles(result), result.total, result.pages) == (["Street Tree Inventory"], 3, 2)


def test_facets_count_the_results(inventory, find):
    facets = find(q="tree").facets
    assert facets["department"] == {"PR": 1, "PW": 1}
    assert facets["theme"] == {"Environment": 2, "Recreation": 1}


def test_an_edit_updates_the_search_index(inventory, find, make):
    from registry.datasets.services import update_dataset

    update_dataset(
        inventory["potholes"],
        {"title": "Road Defects", "description": "Repairs of the roads.", "version": 1},
        actor=make.user("coordinator"),
    )
    assert (titles(find(q="pothole")), titles(find(q="defects"))) == ([], ["Road Defects"])


def test_facets_come_in_the_order_people_expect(inventory, find):
    facets = find().facets
    assert list(facets["release_priority"]) == ["high", "medium", "low"]
    assert list(facets["classification"]) == ["public", "internal"]


def test_department_facets_are_ordered_by_name(make, find):
    make.department(code="AA", name="Zoning Board")
    make.department(code="ZZ", name="Airport")
    make.dataset(department="AA")
    make.dataset(department="ZZ")
    assert list(find().facets["department"]) == ["ZZ", "AA"]


def test_status_facets_follow_the_workflow(make, find):
    from registry.reviews.services import perform_transition

    steward = make.user("steward")
    code = steward.department_codes[0]
    make.dataset(actor=steward, department=code)
    submitted = make.dataset(actor=steward, department=code, **make.COMPLETE)
    perform_transition(submitted, {"action": "submit"}, actor=steward)
    assert list(find().facets["status"]) == ["draft", "submitted"]


@pytest.mark.parametrize("word", ["zs", "zspublished", "zcpublic", "zd", "published", "public"])
def test_a_readers_words_never_reach_the_scope_words(inventory, find, word):
    """The words that say who reads a record (datasets.documents) are not found by searching
    for them, by a visitor (whose searches are scoped by them) or by staff (whose are not)."""
    visitor = find_datasets(None, {"q": word, "page": 1, "per_page": 25}, facets=())
    assert (find(q=word).total, visitor.total) == (0, 0)
