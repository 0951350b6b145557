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


def colleague_saves(identifier, steward, make, **changes):
    update_dataset(
        get_readable(identifier, steward), {**changes, "version": 1}, actor=make.user("coordinator")
    )
    db.session.commit()


def test_a_save_after_a_colleague_changed_another_field_keeps_theirs(client, steward, make):
    identifier = register(client).headers["Location"].rsplit("/", 1)[1]
    form = edit_form(client, identifier)
    colleague_saves(identifier, steward, make, description="Changed by the coordinator.")

    response = client.post(f"/datasets/{identifier}/edit", data={**form, "title": "My title"})

    dataset = get_readable(identifier, steward)
    assert (response.status_code, dataset.title, dataset.description) == (
        302,
        "My title",
        "Changed by the coordinator.",
    )


def test_the_merge_says_whose_change_was_kept(client, steward, make):
    identifier = register(client).headers["Location"].rsplit("/", 1)[1]
    form = edit_form(client, identifier)
    colleague_saves(identifier, steward, make, description="Theirs.")
    response = client.post(
        f"/datasets/{identifier}/edit", data={**form, "title": "My title"}, follow_redirects=True
    )
    assert "Someone else changed description while you were editing" in response.get_data(
        as_text=True
    )


def test_a_clash_on_one_field_shows_both_values_and_saves_nothing(client, steward, make):
    identifier = register(client).headers["Location"].rsplit("/", 1)[1]
    form = edit_form(client, identifier)
    colleague_saves(identifier, steward, make, title="Their title", spatial="Ward 3")

    response = client.post(
        f"/datasets/{identifier}/edit",
        data={**form, "title": "My title", "description": "My words."},
    )

    html = response.get_data(as_text=True)
    dataset = get_readable(identifier, steward)
    assert response.status_code == 409
    assert "Keep the saved value: “Their title”" in html and "Use yours: “My title”" in html
    assert 'name="version" value="2"' in html and 'value="Ward 3"' in html
    assert "My words." in html and 'name="conflict_fields" value="title"' in html
    assert (dataset.title, dataset.description) == ("Their title", "Every street tree.")


def resolve(client, identifier, form, choice):
    return client.post(
        f"/datasets/{identifier}/edit",
        data={
            **form,
            "title": "My title",
            "description": "My words.",
            "spatial": "Ward 3",
            "version": "2",
            "conflict_fields": "title",
            **({"choose-title": choice} if choice else {}),
        },
    )


@pytest.mark.parametrize(("choice", "title"), [("theirs", "Their title"), ("mine", "My title")])
def test_choosing_a_value_saves_it_with_the_rest_of_the_edit(client, steward, make, choice, title):
    identifier = register(client).headers["Location"].rsplit("/", 1)[1]
    form = edit_form(client, identifier)
    colleague_saves(identifier, steward, make, title="Their title", spatial="Ward 3")
    resolve(client, identifier, form, choice)
    dataset = get_readable(identifier, steward)
    assert (dataset.title, dataset.description, dataset.spatial) == (title, "My words.", "Ward 3")


def test_a_clash_left_unchosen_saves_nothing_and_asks_again(client, steward, make):
    identifier = register(client).headers["Location"].rsplit("/", 1)[1]
    form = edit_form(client, identifier)
    colleague_saves(identifier, steward, make, title="Their title", spatial="Ward 3")
    response = resolve(client, identifier, form, None)
    assert (response.status_code, get_readable(identifier, steward).description) == (
        422,
        "Every street tree.",
    )
    assert "Choose which title to keep." in response.get_data(as_text=True)


def test_list_page_filters_through_facet_links(client, steward, make):
    register(client)
    register(client, title="Pothole Repairs", themes="Infrastructure")
    client.get("/datasets")  # shows, and so clears, the registration flashes
    html = client.get("/datasets?theme=Infrastructure").get_data(as_text=True)
    assert "Pothole Repairs" in html and "Street Tree Inventory" not in html


def test_an_empty_public_catalog_says_so(client):
    client.post("/sign-out")
    assert client.get("/datasets").headers["Location"] == "/catalog"
    page = client.get("/catalog").get_data(as_text=True)
    assert "No dataset is released yet." in page and "No released dataset matches" not in page
