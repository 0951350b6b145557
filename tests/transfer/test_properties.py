"""Properties of the pure pieces of the spreadsheet path (hypothesis): no neutralised cell can
start a formula and the importer gets the text back exactly; header matching ignores case,
spacing and punctuation, never claims a field twice, and accounts for every header."""

import string

from hypothesis import given
from hypothesis import strategies as st

from registry.cells import TRIGGERS, for_csv, from_csv, is_formula_like
from registry.transfer.columns import COLUMNS
from registry.transfer.headers import NAMES, match_headers, squash

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
formula_like = st.builds(lambda start, rest: start + rest, st.sampled_from(TRIGGERS), texts)
apostrophed = st.builds(lambda rest: "'" + rest, st.one_of(texts, formula_like))


@given(st.one_of(texts, formula_like, apostrophed))
def test_a_csv_cell_never_starts_a_formula_and_reads_back_exactly(text):
    cell = for_csv(text)
    assert not is_formula_like(cell)
    assert from_csv(cell) == text


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.none()))
def test_numbers_stay_numbers(value):
    assert for_csv(value) == ("" if value is None else value)


known = st.sampled_from([column.header for column in COLUMNS])
noise = st.text(alphabet=" _-.:()", max_size=3)


@given(known, noise, st.booleans())
def test_a_known_header_is_matched_whatever_its_case_spacing_and_punctuation(header, extra, upper):
    written = (header.upper() if upper else header.lower()) + extra
    assert match_headers([written]).fields == {0: NAMES[squash(header)]}


@given(st.lists(st.one_of(known, st.text(alphabet=string.ascii_letters + " ", max_size=12))))
def test_every_header_is_read_once_or_listed_as_ignored(headers):
    matching = match_headers(headers)
    claimed = list(matching.fields.values())
    assert len(claimed) == len(set(claimed))
    written = [header.strip() for header in headers if header.strip()]
    assert len(matching.fields) + len(matching.ignored) == len(written)
