"""The dataset form speaks in dates and words; what it sends is what the API would."""

from werkzeug.datastructures import MultiDict

from registry.datasets.forms import dataset_form_to_raw, record_to_form


def test_two_dates_make_an_interval():
    raw = dataset_form_to_raw(
        MultiDict({"temporal_start": "2015-01-01", "temporal_end": "2024-12-31"})
    )
    assert raw["temporal"] == "2015-01-01/2024-12-31"


def test_a_start_and_ongoing_make_an_open_interval():
    raw = dataset_form_to_raw(MultiDict({"temporal_start": "2020-01-01", "temporal_ongoing": "y"}))
    assert raw["temporal"] == "2020-01-01/.."


def test_no_dates_leave_the_period_unset():
    assert dataset_form_to_raw(MultiDict({"title": "X"}))["temporal"] is None


def test_a_stored_period_fills_the_date_fields():
    form = record_to_form({"temporal": "2020-01-01/.."})
    assert (form["temporal_start"], form["temporal_ongoing"]) == ("2020-01-01", True)


def test_a_period_in_another_iso_form_is_kept_until_dates_replace_it():
    form = record_to_form({"temporal": "2019/P5Y"})
    kept = dataset_form_to_raw(MultiDict({"temporal": form["temporal_other"]}))
    assert kept["temporal"] == "2019/P5Y"


def options(html: str, name: str) -> list[str]:
    select = html.split(f'name="{name}"')[1].split("</select>")[0]
    return [part.split("</option>")[0].split(">")[-1] for part in select.split("<option")[1:]]


def test_the_form_offers_the_records_departments_stewards_and_each_frequency_once(
    client, make, sign_in
):
    from registry.extensions import db

    make.department(code="PW")
    make.department(code="PD")
    for code in ("PW", "PD"):
        make.user("steward", departments=[code], name=f"Steward of {code}")
    record = make.dataset(department="PW", update_frequency="R/P0.5W")
    db.session.commit()
    sign_in(make.user("coordinator"))
    edit = client.get(f"/datasets/{record.identifier}/edit").get_data(as_text=True)
    assert [o for o in options(edit, "steward") if o.startswith("Steward")] == [
        "Steward of PW (PW)"
    ]
    # The record's own semiweekly code stays offered; a new record sees "Twice a week" once.
    assert "Twice a week (semiweekly)" in options(edit, "update_frequency")
    new = client.get("/datasets/new").get_data(as_text=True)
    frequencies = options(new, "update_frequency")
    assert [f for f in frequencies if f.startswith("Twice a week")] == ["Twice a week"]
    assert {o for o in options(new, "steward") if o.startswith("Steward")} == {
        "Steward of PW (PW)",
        "Steward of PD (PD)",
    }
    client.post("/sign-out")
    sign_in(make.user("steward", departments=["PD"], name="Another of PD"))
    mine = client.get("/datasets/new").get_data(as_text=True)
    assert "Steward of PW (PW)" not in options(mine, "steward")


def test_a_list_comes_back_as_it_was_typed_not_double_spaced():
    raw = dataset_form_to_raw(MultiDict({"keywords": "trees,  urban forest , canopy"}))
    assert raw["keywords"] == ["trees", "urban forest", "canopy"]
    assert record_to_form(raw)["keywords"] == "trees, urban forest, canopy"


CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def test_a_license_is_chosen_from_the_list_or_given_by_its_url_when_it_is_another():
    chosen = dataset_form_to_raw(MultiDict({"license_choice": CC_BY, "license": ""}))
    assert chosen["license"] == CC_BY and "license_choice" not in chosen
    other = "https://www.city.example/open-data-license"
    given = dataset_form_to_raw(MultiDict({"license_choice": "other", "license": f" {other} "}))
    assert given["license"] == other
    assert (
        dataset_form_to_raw(MultiDict({"license_choice": "", "license": other}))["license"] is None
    )
    # A page opened before the list existed sends the URL alone: it is taken as it is.
    assert dataset_form_to_raw(MultiDict({"license": CC_BY}))["license"] == CC_BY
    # A record's license shows as the choice it is, or as "another" with its URL.
    assert record_to_form({"license": CC_BY})["license_choice"] == CC_BY
    assert record_to_form({"license": CC_BY})["license"] == ""
    assert record_to_form({"license": other})["license_choice"] == "other"


def test_the_edit_form_names_the_records_license_and_saves_a_new_choice(client, make, sign_in):
    from registry.extensions import db

    make.department(code="PW")
    record = make.dataset(department="PW", license=CC_BY)
    db.session.commit()
    sign_in(make.user("coordinator"))
    page = client.get(f"/datasets/{record.identifier}/edit").get_data(as_text=True)
    assert f'<option value="{CC_BY}" selected>Creative Commons Attribution 4.0</option>' in page
    assert "Another license (give its URL)" in options(page, "license_choice")
    form = client.get(f"/api/v1/datasets/{record.identifier}").get_json()
    response = client.post(
        f"/datasets/{record.identifier}/edit",
        data={
            "title": form["title"],
            "department": "PW",
            "classification": form["classification"],
            "access_level": form["access_level"],
            "version": form["version"],
            "license_choice": "other",
            "license": "not a web address",
        },
    )
    assert response.status_code == 422
    assert 'class="alert-link">Other license (its URL)</a>' in response.get_data(as_text=True)
    db.session.refresh(record)
    assert record.license == CC_BY


def test_columns_are_typed_a_line_each_or_pasted_from_a_spreadsheet():
    from registry.datasets.forms import columns_from_text

    typed = (
        "tree_id | number | The city's number for the tree\n\nspecies|text\r\nplanted\t\tThe day"
    )
    assert columns_from_text(typed) == [
        {"name": "tree_id", "type": "number", "description": "The city's number for the tree"},
        {"name": "species", "type": "text"},
        {"name": "planted", "description": "The day"},
    ]
    again = record_to_form({"data_columns": columns_from_text(typed)})["data_columns"]
    assert columns_from_text(again) == columns_from_text(typed)


def test_the_data_dictionary_is_entered_on_the_record_and_shown_to_residents(client, make, sign_in):
    from registry.extensions import db

    make.department(code="PW")
    record = make.published("PW", title="Street Trees")
    db.session.commit()
    sign_in(make.user("coordinator"))
    current = client.get(f"/api/v1/datasets/{record.identifier}").get_json()
    base = {
        "title": current["title"],
        "department": "PW",
        "classification": current["classification"],
        "access_level": current["access_level"],
        "version": current["version"],
    }
    refused = client.post(
        f"/datasets/{record.identifier}/edit",
        data={**base, "data_columns": "tree_id | number\n | text | no name"},
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Row 2: Name: Give the column&#39;s name." in page
    twice = client.post(
        f"/datasets/{record.identifier}/edit",
        data={**base, "data_columns": "tree_id | number\nTREE_ID | text"},
    )
    assert "The column “TREE_ID” is listed twice." in twice.get_data(as_text=True)
    db.session.refresh(record)
    assert record.data_columns == []
    saved = client.post(
        f"/datasets/{record.identifier}/edit",
        data={**base, "data_columns": "tree_id | number | The city's number\nspecies | text"},
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    db.session.refresh(record)
    assert record.data_columns == [
        {"name": "tree_id", "type": "number", "description": "The city's number"},
        {"name": "species", "type": "text"},
    ]
    client.post("/sign-out")
    public = client.get(f"/catalog/{record.identifier}").get_data(as_text=True)
    assert '<th scope="row" class="text-break"><code>tree_id</code></th><td>number</td>' in public
    api = client.get(f"/api/v1/datasets/{record.identifier}").get_json()
    assert api["data_columns"][1] == {"name": "species", "type": "text"}
    changes = client.get(f"/datasets/{record.identifier}/history").get_data(as_text=True)
    assert "Columns (data dictionary)" in changes
