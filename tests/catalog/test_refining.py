"""The catalog as residents know it: sort by newest release, recently updated or title, and
filter by format, keyword and license, each filter with how many released datasets it shows
(restricted and unreleased records never counted)."""

import re
from datetime import date

import pytest

from registry.extensions import db

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
CC0 = "https://creativecommons.org/publicdomain/zero/1.0/"


@pytest.fixture
def shelf(make):
    make.department(code="PW", name="Public Works")
    trees = make.published(
        "PW", title="Street Trees", keywords=["Trees", "urban forest"], formats=["CSV", "GeoJSON"]
    )
    trees.license = CC_BY
    potholes = make.published("PW", title="Potholes", keywords=["streets"], formats=["csv"])
    potholes.license = CC0
    budget = make.published("PW", title="Annual Budget", keywords=["trees"], formats=["XLSX"])
    held = make.published("PW", title="Held Trees", keywords=["trees"], formats=["CSV"])
    held.classification = "restricted"
    make.approved("PW", title="Waiting Trees", keywords=["trees"], formats=["CSV"])
    # Release days apart, so that "newest release" has an order to show.
    for record, day in ((trees, 3), (potholes, 1), (budget, 2)):
        record.published_on = date(2026, 11, day)
    db.session.commit()
    return trees, potholes, budget


def titles(body: str) -> list[str]:
    return re.findall(r'<h2 class="h6 mb-1"><a href="/catalog/[^"]+">([^<]+)</a>', body)


def facet(body: str, title: str) -> dict[str, str]:
    section = body.split(f'<h2 class="h6 mt-3">{title}</h2>', 1)[1].split("</ul>", 1)[0]
    pairs = re.findall(r'<span class="text-break">(?:✓ )?([^<]+)</span><span[^>]*>(\d+)', section)
    return dict(pairs)


def test_each_filter_says_how_many_released_datasets_it_shows(shelf, client):
    body = client.get("/catalog").get_data(as_text=True)
    assert facet(body, "Format") == {"CSV": "2", "GeoJSON": "1", "XLSX": "1"}
    # Keywords in any case are one keyword; the held and the waiting record are not counted.
    assert facet(body, "Keyword") == {"trees": "2", "streets": "1", "urban forest": "1"}
    assert facet(body, "License") == {
        "Creative Commons Attribution 4.0": "1",
        "CC0 1.0 (public domain dedication)": "1",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("format=csv", ["Potholes", "Street Trees"]),
        ("format=xlsx", ["Annual Budget"]),
        ("keyword=TREES", ["Annual Budget", "Street Trees"]),
        (f"license={CC_BY}", ["Street Trees"]),
        ("keyword=trees&format=csv", ["Street Trees"]),
        ("keyword=nothing", []),
    ],
)
def test_a_filter_shows_what_its_count_said(shelf, client, query, expected):
    body = client.get(f"/catalog?{query}&sort=title").get_data(as_text=True)
    assert titles(body) == expected
    assert f"{len(expected)} dataset" in body


def test_the_catalog_sorts_as_residents_ask(shelf, client):
    def order(sort):
        return titles(client.get(f"/catalog?sort={sort}").get_data(as_text=True))

    assert order("-released") == ["Street Trees", "Annual Budget", "Potholes"]
    assert order("title") == ["Annual Budget", "Potholes", "Street Trees"]
    body = client.get("/catalog").get_data(as_text=True)
    assert '<option value="-released" >Newest release</option>' in body
    assert "Best match" not in body  # offered only when there are words to match
    assert "Best match" in client.get("/catalog?q=trees").get_data(as_text=True)


def test_an_active_filter_reads_as_words_and_removes_with_a_click(shelf, client):
    body = client.get(f"/catalog?license={CC_BY}").get_data(as_text=True)
    assert "License: Creative Commons Attribution 4.0" in body
    assert f'<input type="hidden" name="license" value="{CC_BY}">' in body


def test_the_api_counts_the_same_filters(shelf, client):
    answer = client.get("/api/v1/datasets?facets=format,keyword,license&keyword=trees").get_json()
    assert answer["total"] == 2
    assert answer["facets"]["format"] == {"CSV": 1, "GEOJSON": 1, "XLSX": 1}
    assert answer["facets"]["license"] == {CC_BY: 1}


def _both(app):
    from registry.catalog.public import CATALOG_FACETS, _kept_counts
    from registry.datasets.search import find_datasets
    from registry.datasets.visibility import VISITOR

    app.extensions.pop("registry_memo", None)
    found = find_datasets(VISITOR, {"page": 1, "per_page": 25}, facets=CATALOG_FACETS)
    return _kept_counts({}), (found.total, found.facets)


def test_the_whole_catalogs_kept_counts_are_what_counting_finds_after_each_change(shelf, app, make):
    from registry.datasets.services import update_dataset

    trees, potholes, _budget = shelf
    kept, found = _both(app)
    assert kept == found and kept[0] == 3
    coordinator = make.user("coordinator")
    # A keyword and a format change on a released record, in another case.
    changes = {"keywords": ["TREES", "canopy"], "formats": ["csv"], "version": trees.version}
    update_dataset(trees, changes, actor=coordinator)
    db.session.commit()
    kept, found = _both(app)
    assert kept == found and kept[1]["keyword"]["canopy"] == 1
    # A released record restricted since: out of every count.
    potholes.classification = "restricted"
    db.session.commit()
    kept, found = _both(app)
    assert kept == found and kept[0] == 2 and "streets" not in kept[1]["keyword"]
    # A new release under a license not counted before.
    other = make.published("PW", title="Benches", keywords=["parks"], formats=["json"])
    other.license = "https://opendatacommons.org/licenses/odbl/1-0/"
    db.session.commit()
    kept, found = _both(app)
    assert kept == found and kept[0] == 3 and kept[1]["format"]["JSON"] == 1


def test_a_narrowed_catalog_counts_what_matches(shelf, client):
    body = client.get("/catalog?q=trees").get_data(as_text=True)
    assert facet(body, "Keyword") == {"trees": "2", "urban forest": "1"}


def test_a_record_whose_lists_are_not_lists_is_left_out_of_their_counts(shelf, client):
    """Written around the services (an old row, a hand edit), a keywords value that is not a
    list counts for no keyword, and no filter fails over it, on either database."""
    from sqlalchemy import text

    trees, _potholes, _budget = shelf
    db.session.execute(
        text("UPDATE datasets SET keywords = 'null', formats = '\"CSV\"' WHERE id = :id"),
        {"id": trees.id},
    )
    db.session.commit()
    body = client.get("/catalog?q=trees").get_data(as_text=True)
    assert "urban forest" not in facet(body, "Keyword")
    assert client.get("/catalog?keyword=trees&format=csv").status_code == 200
