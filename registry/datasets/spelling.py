"""Words as people type them: the vocabulary of the words search documents hold
(`dataset_search_words`, kept with the documents: registry.datasets.documents, from the records
anyone may read, so that what it knows tells no one what another record says), the words one
edit from a misspelled one (what a search also looks for), and what to suggest when a search
finds nothing.

A word one edit from another (a letter changed, added, dropped, or two neighbours swapped) keeps
either its first or its last (n - 1) // 2 letters, so the vocabulary is read by index twice, by
length and by those letters forwards and backwards, and each word read is measured in Python.
Either database answers the same way, with no extension to install. The vocabulary only ever
chooses what the engine is asked: every record found is still found within the reader's scope,
and a suggestion is made only when it finds something the reader may read.
"""

import re
from collections.abc import Iterable

from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from registry.extensions import db

WORD = re.compile(r"[^\W\d_]{4,30}")
CORRECTED_FROM = 5  # shorter words are too often another word than a misspelled one
ALTERNATIVES = 8  # at most, for one word


def words_of(texts: Iterable[str]) -> set[str]:
    """The vocabulary's words in some texts: letters only, 4 to 30 of them, lower case."""
    return set(WORD.findall(" ".join(texts).lower()))


def remember(session: Session, words: set[str], postgresql: bool) -> None:
    """Adds words to the vocabulary (those it holds already are left as they are). Words are
    not taken out when no released record holds them any more: they were public once, and a
    word no record the reader may read holds finds nothing, so it is never suggested."""
    if not words:
        return
    verb = "INSERT" if postgresql else "INSERT OR IGNORE"
    tail = " ON CONFLICT DO NOTHING" if postgresql else ""
    session.execute(
        text(
            f"{verb} INTO dataset_search_words (word, size, backwards) "
            f"VALUES (:word, :size, :backwards){tail}"
        ),
        [{"word": word, "size": len(word), "backwards": word[::-1]} for word in sorted(words)],
    )


def _after(prefix: str) -> str:
    """The first string after every string that starts with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def known(term: str) -> bool:
    """Whether a document holds a word that starts with `term` (the search finds it as it is)."""
    found = db.session.execute(
        text("SELECT 1 FROM dataset_search_words WHERE word >= :term AND word < :after LIMIT 1"),
        {"term": term, "after": _after(term)},
    ).first()
    return found is not None


def _near(term: str, edits: int) -> set[str]:
    """The vocabulary's words within `edits` of `term`, read by length and by the letters
    that many edits leave at either end: every word one edit away; for two, those that keep
    either end (enough for a suggestion)."""
    size = len(term)
    keep = max(1, (size - edits) // (edits + 1))
    query = text(
        "SELECT word FROM dataset_search_words WHERE size IN :sizes "
        "AND word >= :start AND word < :start_after "
        "UNION SELECT word FROM dataset_search_words WHERE size IN :sizes "
        "AND backwards >= :end AND backwards < :end_after"
    ).bindparams(bindparam("sizes", expanding=True))
    start, end = term[:keep], term[::-1][:keep]
    found = db.session.scalars(
        query,
        {
            "sizes": list(range(size - edits, size + edits + 1)),
            "start": start,
            "start_after": _after(start),
            "end": end,
            "end_after": _after(end),
        },
    )
    return {word for word in found if word != term and distance(term, word) <= edits}


def alternatives(terms: list[str]) -> list[list[str]]:
    """Each term with the words one edit from it, for a term of letters long enough that no
    document holds a word starting with it (a misspelling): "budgte" is also "budget"."""
    spelled = []
    for term in terms:
        found = [term]
        if len(term) >= CORRECTED_FROM and term.isalpha() and not known(term):
            found += sorted(_near(term, 1))[:ALTERNATIVES]
        spelled.append(found)
    return spelled


def suggestion(terms: list[str]) -> list[str] | None:
    """The terms with each unknown one replaced by the nearest word the vocabulary holds (two
    edits at most; the shorter distance, then the word first in the alphabet), or None when
    nothing would change."""
    suggested = []
    for term in terms:
        best = term
        if len(term) >= 4 and term.isalpha() and not known(term):
            near = _near(term, 2)
            if near:
                best = min(near, key=lambda word: (distance(term, word), word))
        suggested.append(best)
    return suggested if suggested != terms else None


def distance(first: str, second: str) -> int:
    """Edits from one word to the other: a letter changed, added or dropped, or two neighbours
    swapped (the optimal string alignment distance)."""
    previous_row: list[int] = []
    row = list(range(len(second) + 1))
    for i, letter in enumerate(first, start=1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(second)
        for j, other in enumerate(second, start=1):
            cost = 0 if letter == other else 1
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + cost)
            if i > 1 and j > 1 and letter == second[j - 2] and first[i - 2] == other:
                row[j] = min(row[j], before[j - 2] + 1)
    return row[-1]
