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
