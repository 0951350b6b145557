"""Codes become the words a city clerk reads; the codes themselves stay in the API."""

import pytest

from registry.labels import error_lines, field_label, period, term
from registry.web.forms import named_as_labelled


@pytest.mark.parametrize(
    ("value", "field", "words"),
    [
        ("in_committee", "status", "In committee"),
        ("restricted public", "access_level", "Restricted public"),
        ("non-public", "access_level", "Non-public"),
        ("R/P1W", "update_frequency", "Weekly"),
        ("sensitive", "classification", "3 · Sensitive"),
        ("request_changes", "vote", "Request changes"),
        (["names", "health"], "pii_kinds", "Names, Health information"),
    ],
)
def test_codes_read_as_words(value, field, words):
    assert term(value, field) == words


@pytest.mark.parametrize(
    ("name", "label"),
    [("temporal", "Time period"), ("pii_kinds", "Which kinds"), ("contact_email", "Contact email")],
)
def test_fields_are_named_as_their_forms_label_them(name, label):
    assert field_label(name) == label


@pytest.mark.parametrize(
    ("temporal", "words"),
    [
        ("2015-01-01/2024-12-31", "1 January 2015 to 31 December 2024"),
        ("2020-03-01/..", "from 1 March 2020, ongoing"),
        ("2019/P5Y", "2019/P5Y"),
    ],
)
def test_a_time_period_reads_as_dates(temporal, words):
    assert period(temporal) == words


def test_nested_errors_name_the_row_and_the_field():
    assert error_lines({"1": {"media_type": ["Use a media type."]}}) == [
        "Row 2: Media type: Use a media type."
    ]


def test_the_error_summary_names_each_field_by_its_label_on_the_page():
    page = (
        '<a href="#minutes_url" class="alert-link">Minutes url</a>: Not a valid URL.'
        '<a href="#_gone" class="alert-link">Gone</a>'
        '<label class="form-label" for="minutes_url">Link to the minutes'
        ' <span class="text-danger" aria-hidden="true">*</span></label>'
    )
    named = named_as_labelled(page)
    assert '<a href="#minutes_url" class="alert-link">Link to the minutes</a>' in named
    assert '<a href="#_gone" class="alert-link">Gone</a>' in named  # no label: left as it was


@pytest.mark.parametrize(
    ("form", "link"),
    [
        ({"held_on": "31/31/2026", "minutes_url": "minutes"}, "Date"),
        ({"held_on": "2026-11-02", "minutes_url": "minutes"}, "Link to the minutes"),
    ],
)
def test_a_refused_meeting_names_its_fields_as_the_form_does(client, make, sign_in, form, link):
    sign_in(make.user("coordinator"))
    response = client.post("/committee/meetings/new", data=form)
    assert response.status_code == 422
    assert f'class="alert-link">{link}</a>' in response.get_data(as_text=True)
