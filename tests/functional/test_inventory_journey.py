"""A steward registers, edits and traces a dataset through the pages; two editors collide."""

import re

import pytest

from registry.datasets.services import get_readable, update_dataset
from registry.extensions import db


@pytest.fixture
def steward(make, sign_in):
    make.department(code="PW", name="Public Works")
    return sign_in(make.user("steward", departments=["PW"]))


FORM = {
    "title": "Street Tree Inventory",
    "description": "Every street tree.",
    "department": "PW",
    "keywords": "trees, canopy",
    "themes": "Environment",
    "classification": "public",
    "release_priority": "high",
    "access_level": "",
    "distributions-0-title": "CSV",
    "distributions-0-download_url": "https://data.riverton.example/trees.csv",
    "distributions-0-media_type": "text/csv",
    "distributions-1-title": "",
}


def register(client, **changes):
    return client.post("/datasets/new", data={**FORM, **changes})


def test_registering_through_the_form(client, steward):
    response = register(client)
    identifier = response.headers["Location"].rsplit("/", 1)[1]
    dataset = get_readable(identifier, steward)
    assert (dataset.keywords, dataset.steward, len(dataset.distributions)) == (
        ["trees", "canopy"],
        steward,
        1,
    )


def test_the_form_explains_every_problem(client, steward):
    response = register(
        client, title="", classification="restricted", **{"distributions-0-media_type": ""}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This is required." in html and "Say which law or policy" in html
    assert "Distribution 1: Media type: A download URL needs its media type." in html


def edit_form(client, identifier):
    html = client.get(f"/datasets/{identifier}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    return {**FORM, "version": version}


def test_editing_through_the_form_records_history(client, steward):
    identifier = register(client).headers["Location"].rsplit("/", 1)[1]
    form = edit_form(client, identifier)
    client.post(f"/datasets/{identifier}/edit", data={**form, "title": "Street Trees"})
    html = client.get(f"/datasets/{identifier}/history").get_data(as_text=True)
    assert "Version 2" in html and "<del" in html and "Street Tree Inventory" in html


def test_a_collision_shows_both_sides_and_overwrites_nothing(client, steward, make):
    identifier = register(client).headers["Location"].rsplit("/", 1)[1]
    form = edit_form(client, identifier)
    dataset = get_readable(identifier, steward)
    update_dataset(
        dataset,
        {"description": "Changed by the coordinator.", "version": 1},
        actor=make.user("coordinator"),
    )
    db.session.commit()
    response = client.post(f"/datasets/{identifier}/edit", data={**form, "title": "My title"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else changed this dataset" in html and "Changed by the coordinator." in html
    assert 'value="My title"' in html and 'name="version" value="2"' in html
    assert get_readable(identifier, steward).title == "Street Tree Inventory"


def test_saving_again_after_a_collision_is_a_deliberate_overwrite(client, steward, make):
    identifier = register(client).headers["Location"].rsplit("/", 1)[1]
    form = edit_form(client, identifier)
    update_dataset(
        get_readable(identifier, steward),
        {"description": "Theirs", "version": 1},
        actor=make.user("coordinator"),
    )
    db.session.commit()
    client.post(f"/datasets/{identifier}/edit", data={**form, "title": "My title"})
    client.post(f"/datasets/{identifier}/edit", data={**form, "title": "My title", "version": "2"})
    assert get_readable(identifier, steward).title == "My title"


def test_list_page_filters_through_facet_links(client, steward, make):
    register(client)
    register(client, title="Pothole Repairs", themes="Infrastructure")
    client.get("/datasets")  # shows, and so clears, the registration flashes
    html = client.get("/datasets?theme=Infrastructure").get_data(as_text=True)
    assert "Pothole Repairs" in html and "Street Tree Inventory" not in html


def test_an_empty_public_catalog_says_so(client):
    client.post("/sign-out")
    assert "No datasets are published yet." in client.get("/datasets").get_data(as_text=True)
