"""Codes become the words a city clerk reads; the codes themselves stay in the API."""

import pytest

from registry.labels import error_lines, field_label, period, term


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
