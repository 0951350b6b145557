"""Who may read what of the inventory, defined once.

One rule (`_may_read`) says who reads a record given its classification, status and
department. It is written against a small set of terms that either build SQL (for a query over
records or their versions), evaluate plain values (for a loaded record, a version, a proposal,
a decision) or write a search engine's query over a search document's scope words (a search's
total), so the query and the per-object answer can never disagree. Everything else here is
that rule applied: to records, to the versions in their history, to proposals before the
committee, to decisions, to the restricted count, to who may be told about a record; and
`redact()`, the one function that decides what a reader sees of a record's fields.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from flask_login import AnonymousUserMixin
from sqlalchemy import ColumnElement, and_, literal, or_, true

from registry.datasets.models import Dataset, DatasetVersion
from registry.datasets.vocab import CLASSIFICATION_LEVELS, Classification
from registry.permissions import Permission, has_permission
from registry.reviews.workflow import GOVERNANCE_FIELDS, State

STAFF_ONLY = ("additional_fields", "attention")
# Anyone not signed in: the reader every public page, count and crawler file is for.
VISITOR = AnonymousUserMixin()

RELEASABLE = [str(level) for level in Classification if level != Classification.RESTRICTED]
PUBLISHED = str(State.PUBLISHED)


class _SqlTerms:
    """The rule's terms over columns: each answer is a SQL condition."""

    def __init__(self, classification, status, department_id) -> None:
        self.classification, self.status, self.department_id = (
            classification,
            status,
            department_id,
        )

    def anything(self):
        return true()

    def releasable(self):
        return self.classification.in_(RELEASABLE)

    def published(self):
        return self.status == PUBLISHED

    def department_in(self, ids: list[int]):
        return self.department_id.in_(ids)

    def both(self, *conditions):
        return and_(*conditions)

    def either(self, *conditions):
        return or_(*conditions)


class _ValueTerms:
    """The same terms over plain values: each answer is a bool."""

    def __init__(self, classification: str, status: str, department_id: int) -> None:
        self.classification, self.status, self.department_id = (
            str(classification),
            str(status),
            department_id,
        )

    def anything(self):
        return True

    def releasable(self):
        return self.classification in RELEASABLE

    def published(self):
        return self.status == PUBLISHED

    def department_in(self, ids: list[int]):
        return self.department_id in ids

    def both(self, *conditions):
        return all(conditions)

    def either(self, *conditions):
        return any(conditions)


class _WordTerms:
    """The same terms over the scope words of a record's search document (datasets.documents):
    each answer is a query in the search engine's syntax, or None for anything."""

    def __init__(self, word, all_of, any_of) -> None:
        self.word, self.all_of, self.any_of = word, all_of, any_of

    def anything(self):
        return None

    def releasable(self):
        return self.any_of([self.word("classification", level) for level in RELEASABLE])

    def published(self):
        return self.word("status", PUBLISHED)

    def department_in(self, ids: list[int]):
        return self.any_of([self.word("department", number) for number in ids])

    def both(self, *conditions):
        said = [condition for condition in conditions if condition is not None]
        return self.all_of(said) if said else None

    def either(self, *conditions):
        return None if None in conditions else self.any_of(list(conditions))


def department_ids(reader) -> list[int]:
    if reader is None or not getattr(reader, "is_authenticated", False):
        return []
    return [department.id for department in reader.departments]


def in_department(person, department_id: int) -> bool:
    """Whether a person belongs to a department (the one way this is asked)."""
    return department_id in department_ids(person)


def reads_everything(reader) -> bool:
    return has_permission(reader, Permission.DATASET_READ_ALL)


def _may_read(reader, terms):
    return _rule(visibility_class(reader), terms)


def _rule(seen: tuple[bool, bool, tuple[int, ...]], terms):
    """Coordinators, committee and auditors read everything; stewards their department's records
    at every level; stakeholders and stewards levels 1 to 3 in any state; everyone, signed in or
    not, the published records at levels 1 to 3. `seen` is the reader's visibility_class()."""
    everything, candidates, departments = seen
    if everything:
        return terms.anything()
    options = [terms.both(terms.releasable(), terms.published())]
    if candidates:
        options.append(terms.releasable())
    if departments:
        options.append(terms.department_in(list(departments)))
    return terms.either(*options)


def visibility_class(reader) -> tuple[bool, bool, tuple[int, ...]]:
    """All that decides what a reader may read: whether they read everything, whether they
    read the candidates (levels 1 to 3 in any state), and the departments whose records they
    read at every level. Readers of one class read the same records (answers kept for one,
    such as facet counts, are right for all of them)."""
    everything = reads_everything(reader)
    candidates = has_permission(reader, Permission.DATASET_READ_CANDIDATES)
    departments: tuple[int, ...] = ()
    if has_permission(reader, Permission.DATASET_READ_DEPARTMENT):
        departments = tuple(sorted(department_ids(reader)))
    return everything, candidates, departments


# Records --------------------------------------------------------------------------------


def readable_by(reader) -> ColumnElement[bool]:
    """The records a reader may read, as a condition every read path applies."""
    return _may_read(
        reader, _SqlTerms(Dataset.classification, Dataset.status, Dataset.department_id)
    )


def readable_words(reader, word, all_of, any_of) -> str | None:
    """The same rule as a search engine's query over the scope words (None: everything), so
    that the engine counts a search's matches alone; `word(kind, value)` writes one."""
    return _may_read(reader, _WordTerms(word, all_of, any_of))


def versions_readable_by(reader) -> ColumnElement[bool]:
    """The same rule over versions, by what each version says the record was then (as_of)."""
    terms = _SqlTerms(
        DatasetVersion.classification, DatasetVersion.status, DatasetVersion.department_id
    )
    return _may_read(reader, terms)


def level_readable_now(reader) -> ColumnElement[bool]:
    """Whether the record's classification today lets this reader read it at all, as if it
    were released: the condition every view of the past adds to what a version says, so that
    a record restricted since is read by today's rule (its past versions included)."""
    terms = _SqlTerms(Dataset.classification, literal(PUBLISHED), Dataset.department_id)
    return _may_read(reader, terms)


def can_read(reader, *, classification: str, status: str, department_id: int) -> bool:
    return Reading(reader).can_read(
        classification=classification, status=status, department_id=department_id
    )


def may_read(reader, record) -> bool:
    """The rule for a loaded record, or anything with its classification, status and
    department (a brief of one)."""
    return Reading(reader).may_read(record)


def not_readable_restricted(reader) -> ColumnElement[bool]:
    """Restricted records this reader may not read: they appear only as counts per department."""
    return (Dataset.classification == str(Classification.RESTRICTED)) & ~readable_by(reader)


# What a readable record shows -------------------------------------------------------------


def strictest(*classifications: str | None) -> str:
    return max(
        (str(level) for level in classifications if level),
        key=lambda level: CLASSIFICATION_LEVELS[Classification(level)],
    )


def can_read_level(reader, dataset: Dataset, *classifications: str | None) -> bool:
    """Whether a reader of the record may read what it said at these levels (an old version, a
    decision naming them): at the strictest of them, as if released. An earlier restricted
    version stays hidden from readers of restricted records no longer."""
    level = strictest(*classifications)
    return can_read(
        reader, classification=level, status=PUBLISHED, department_id=dataset.department_id
    )


def proposal_readable_at(
    reader, *, department_id: int, in_force: str, proposal: Mapping[str, Any] | None
) -> bool:
    return Reading(reader).proposal_readable_at(
        department_id=department_id, in_force=in_force, proposal=proposal
    )


def proposal_readable(reader, dataset: Dataset, proposal: Mapping[str, Any] | None) -> bool:
    return proposal_readable_at(
        reader,
        department_id=dataset.department_id,
        in_force=dataset.classification,
        proposal=proposal,
    )


def sees_everything_about(reader, dataset: Dataset) -> bool:
    return Reading(reader).sees_everything_about(dataset)


def may_be_told(person, dataset: Dataset, *, proposal: Mapping[str, Any] | None = None) -> bool:
    """A notification about a record goes only to people who may read what it says: the record
    as it stands, and the proposal it mentions."""
    if person is None or not person.active:
        return False
    readable = can_read(
        person,
        classification=dataset.classification,
        status=dataset.status,
        department_id=dataset.department_id,
    )
    return readable and (proposal is None or proposal_readable(person, dataset, proposal))


def redact(record: dict[str, Any], dataset: Dataset, reader) -> dict[str, Any]:
    """What a reader sees of a record's fields (Reading.redact)."""
    return Reading(reader).redact(record, dataset)


class Reading:
    """What decides what one reader reads and sees, asked of them once: a page, an export or a
    feed asks it of each of its records. The module's functions ask it of a reader anew.
    Asked again for each of a listing's 25 records, the reader's roles and departments were a
    tenth of a staff token's API listing (registry.permissions is asked six times a record)."""

    __slots__ = ("_own", "reader", "seen", "signed_in")

    def __init__(self, reader) -> None:
        self.reader = reader
        self.signed_in = reader is not None and getattr(reader, "is_authenticated", False)
        self.seen = visibility_class(reader)
        self._own: frozenset[int] | None = None

    def can_read(self, *, classification: str, status: str, department_id: int) -> bool:
        return _rule(self.seen, _ValueTerms(classification, status, department_id))

    def may_read(self, record) -> bool:
        """The rule for a loaded record, or anything with its classification, status and
        department (a brief of one)."""
        return self.can_read(
            classification=record.classification,
            status=record.status,
            department_id=record.department_id,
        )

    def proposal_readable_at(
        self, *, department_id: int, in_force: str, proposal: Mapping[str, Any] | None
    ) -> bool:
        """A proposal before the committee is deliberation, not publication: shown to those who
        could read the record unpublished (never the public) at the stricter of the proposed
        level and the one in force."""
        if not proposal:
            return False
        level = strictest(proposal.get("classification"), in_force)
        return self.can_read(
            classification=level, status=str(State.DRAFT), department_id=department_id
        )

    def sees_everything_about(self, dataset: Dataset) -> bool:
        """Readers who may read any level of this record in any state: for them nothing about
        it is held back (proposals, rounds, versions)."""
        if self.seen[0]:  # reads everything
            return True
        if self._own is None:
            self._own = frozenset(department_ids(self.reader))
        return dataset.department_id in self._own

    def redact(self, record: dict[str, Any], dataset: Dataset) -> dict[str, Any]:
        """What this reader sees of a record's fields (a DatasetOut dump), for every page, API
        answer, export and feed: staff account emails only for people signed in; a proposal
        only for those who may read it; the version (which counts steps the reader may not
        see) only for those who may see every step."""
        shown = dict(record)
        if not self.signed_in:
            shown["steward"] = None
            # A city's own columns and its stewards' to-do notes are for staff.
            shown.update({key: type(shown[key])() for key in STAFF_ONLY if shown.get(key)})
        if "proposed_governance" in shown and not self.proposal_readable_at(
            department_id=dataset.department_id,
            in_force=dataset.classification,
            proposal=dataset.proposed_governance,
        ):
            shown["proposed_governance"] = None
        if not self.sees_everything_about(dataset):
            shown["version"] = None
        return shown


def governance_levels(values: Iterable[Mapping[str, Any] | None]) -> list[str]:
    """The classifications named by governance blocks (in force, proposed), for can_read_level."""
    return [block["classification"] for block in values if block and "classification" in block]


__all__ = [
    "GOVERNANCE_FIELDS",
    "RELEASABLE",
    "Reading",
    "can_read",
    "can_read_level",
    "department_ids",
    "governance_levels",
    "in_department",
    "level_readable_now",
    "may_be_told",
    "not_readable_restricted",
    "proposal_readable",
    "proposal_readable_at",
    "readable_by",
    "reads_everything",
    "redact",
    "sees_everything_about",
    "strictest",
    "versions_readable_by",
    "visibility_class",
]
