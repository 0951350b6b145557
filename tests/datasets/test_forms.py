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
