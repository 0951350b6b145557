"""How many records are of each kind, kept where it changes, for the dashboard's figures, the
report and the front pages: a reader adds up a few hundred rows instead of grouping the whole
inventory.

A record's kind is what the figures ask of it that changes only when the record does: its
department, classification and status, the month it was released, whether it was released on
time or late, and whether its metadata is complete (the model's own derived statuses, as SQL).
Each record's kind is kept in `record_kinds`, and `kind_counts` holds how many records are of
each; registry.derived's rule keeps both: when a transaction touched records, their kinds are
read again as it leaves them, and each count moves by the difference, in the same transaction.
The same rule keeps how many released records (published, levels 1 to 3) carry each theme,
format, keyword and license, for the front page's subjects and the catalog's filters. What
moves with time alone (overdue, updated in the last year) is counted by indexed queries instead
(dashboard.tally).
"""

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, delete, exists, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from registry.accounts.models import Department
from registry.datasets.models import Dataset, DatasetTheme
from registry.datasets.visibility import RELEASABLE
from registry.derived import keeps, locked_chunks
from registry.extensions import db
from registry.reviews.workflow import State

CHUNK = 5000
PASS_LIMIT = 20000
KEY = ("department_id", "classification", "status", "released", "on_time", "late", "complete")


class RecordKind(db.Model):
    """One record's kind, as `kind_counts` last counted it."""

    __tablename__ = "record_kinds"

    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    )
    department_id: Mapped[int] = mapped_column(Integer)
    classification: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    released: Mapped[str] = mapped_column(String(7))  # "2026-03", or "" if not released
    on_time: Mapped[bool] = mapped_column(Boolean)
    late: Mapped[bool] = mapped_column(Boolean)
    complete: Mapped[bool] = mapped_column(Boolean)
    themes: Mapped[list[str]] = mapped_column(JSON)  # sorted
    # Its formats, keywords and license as the catalog counts them: sorted [kind, value] pairs.
    terms: Mapped[list[list[str]]] = mapped_column(JSON, default=list)


class KindCount(db.Model):
    """How many records are of one kind (rows reaching 0 are removed)."""

    __tablename__ = "kind_counts"

    department_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    classification: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(32), primary_key=True)
    released: Mapped[str] = mapped_column(String(7), primary_key=True)
    on_time: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    late: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    complete: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class ReleasedTermCount(db.Model):
    """How many released records carry a term: a theme, a format, a keyword or a license (rows
    reaching 0 are removed)."""

    __tablename__ = "released_term_counts"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value: Mapped[str] = mapped_column(String(500), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


def fold_keyword(value: str) -> str:
    """A keyword as it is counted and filtered: in small letters, A to Z only, as SQLite's
    lower() makes them (so a count's link finds what it counted on either database)."""
    return value.translate(_SMALL)


def fold_format(value: str) -> str:
    return value.translate(_CAPITAL)


_SMALL = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_CAPITAL = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _month(session: Session, column):
    if session.get_bind().dialect.name == "postgresql":
        return db.func.to_char(column, "YYYY-MM")
    return db.func.strftime("%Y-%m", column)


def _kinds_of(session: Session, ids: list[int]) -> dict[int, tuple]:
    """Each record's kind as it stands now, by the model's SQL for its derived statuses."""
    query = select(
        Dataset.id,
        Dataset.department_id,
        Dataset.classification,
        Dataset.status,
        db.func.coalesce(_month(session, Dataset.published_on), ""),
        db.case((Dataset.published_on_time, True), else_=False),
        db.case((Dataset.published_late, True), else_=False),
        db.case((Dataset.metadata_complete, True), else_=False),
    ).where(Dataset.id.in_(ids))
    return {
        record: (department, classification, status, released, *(bool(f) for f in flags))
        for record, department, classification, status, released, *flags in session.execute(query)
    }


def _themes_of(session: Session, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {record: [] for record in ids}
    query = select(DatasetTheme.dataset_id, DatasetTheme.theme).where(
        DatasetTheme.dataset_id.in_(ids)
    )
    for record, theme in session.execute(query.order_by(DatasetTheme.theme)):
        found[record].append(theme)
    return found


def _terms_of(session: Session, ids: list[int]) -> dict[int, list[list[str]]]:
    """Each record's themes, formats, keywords and license as the catalog counts them."""
    found: dict[int, set[tuple[str, str]]] = {record: set() for record in ids}
    for record, theme in session.execute(
        select(DatasetTheme.dataset_id, DatasetTheme.theme).where(DatasetTheme.dataset_id.in_(ids))
    ):
        found[record].add(("theme", theme))
    query = select(Dataset.id, Dataset.formats, Dataset.keywords, Dataset.license)
    for record, formats, keywords, license_url in session.execute(query.where(Dataset.id.in_(ids))):
        found[record] |= {("format", fold_format(f)) for f in _strings(formats)}
        found[record] |= {("keyword", fold_keyword(k)) for k in _strings(keywords)}
        if license_url:
            found[record].add(("license", license_url))
    return {record: [list(term) for term in sorted(terms)] for record, terms in found.items()}


def _strings(listed) -> list[str]:
    """A list field's words; nothing for a value that is not a list (an old row, a hand edit)."""
    if not isinstance(listed, list):
        return []
    return [item for item in listed if isinstance(item, str) and item.strip()]


def _released_terms(kind: tuple | None, terms: list[list[str]]) -> list[list[str]]:
    """A record's terms if it is released (published at levels 1 to 3), else none."""
    if kind is None or not is_released(kind[1], kind[2]):
        return []
    return terms


@keeps
def keep_counts(session: Session, records: set[int], _rounds: set[int]) -> None:
    recount(session, records)


def recount(session: Session, ids) -> int:
    """Reads these records' kinds again and moves the counts by the difference."""
    moved = 0
    for part in locked_chunks(session, ids, CHUNK):
        before, terms_before = _kept_kinds(session, part)
        after, terms_after = _kinds_of(session, part), _terms_of(session, part)
        delta: dict[tuple, int] = {}
        by_term: dict[tuple, int] = {}
        changed = []
        for record in part:
            old, new = before.get(record), after.get(record)
            old_terms, new_terms = terms_before.get(record, []), terms_after[record]
            if (old, old_terms) == (new, new_terms if new is not None else []):
                continue
            changed.append(record)
            _move(delta, old, -1)
            _move(delta, new, +1)
            for term in _released_terms(old, old_terms):
                _move(by_term, tuple(term), -1)
            for term in _released_terms(new, new_terms):
                _move(by_term, tuple(term), +1)
        if changed:
            _keep_kinds(session, changed, after, terms_after)
            _apply(session, KindCount, KEY, delta)
            _apply(session, ReleasedTermCount, ("kind", "value"), by_term)
            moved += len(changed)
    return moved


def _move(delta: dict[tuple, int], key: tuple | None, by: int) -> None:
    if key is not None:
        delta[key] = delta.get(key, 0) + by


def _kept_kinds(session: Session, part: list[int]) -> tuple[dict[int, tuple], dict[int, list]]:
    """The kinds and terms these records were last counted with."""
    kinds, terms = {}, {}
    columns = (
        RecordKind.dataset_id,
        *(getattr(RecordKind, k) for k in KEY),
        RecordKind.themes,
        RecordKind.terms,
    )
    for row in session.execute(select(*columns).where(RecordKind.dataset_id.in_(part))):
        kinds[row[0]] = tuple(row[1:-2])
        terms[row[0]] = sorted([["theme", theme] for theme in row[-2]] + list(row[-1] or []))
    return kinds, terms


def _keep_kinds(session: Session, changed: list[int], after, terms_after) -> None:
    """The records' kinds as they are counted now (a record gone has none)."""
    session.execute(delete(RecordKind).where(RecordKind.dataset_id.in_(changed)))
    fresh = [
        {
            **dict(zip(("dataset_id", *KEY), (r, *after[r]), strict=True)),
            "themes": [value for kind, value in terms_after[r] if kind == "theme"],
            "terms": [term for term in terms_after[r] if term[0] != "theme"],
        }
        for r in changed
        if r in after
    ]
    if fresh:
        session.execute(RecordKind.__table__.insert(), fresh)


def _apply(session: Session, model, key_names: tuple[str, ...], delta: dict[tuple, int]) -> None:
    """Moves each count by its change (a new row for a key not counted yet)."""
    for key, change in sorted(delta.items(), key=lambda item: repr(item[0])):
        if change == 0:
            continue
        names = zip(key_names, key, strict=True)
        where = [getattr(model, name) == value for name, value in names]
        found = session.execute(
            update(model).where(*where).values(count=model.count + change)
        ).rowcount
        if not found:
            row = {**dict(zip(key_names, key, strict=True)), "count": change}
            session.execute(model.__table__.insert(), [row])
    session.execute(delete(model).where(model.count <= 0))


def counted() -> list[tuple]:
    """Every kind with how many records are of it: (department_id, classification, status,
    released or None, on_time, late, complete, count)."""
    rows = db.session.execute(select(*(getattr(KindCount, k) for k in KEY), KindCount.count))
    return [(d, c, s, released or None, t, lt, m, n) for d, c, s, released, t, lt, m, n in rows]


def released_themes() -> list[tuple[str, int]]:
    """Each theme of released records with how many carry it, the most first."""
    return released_terms("theme")


def released_terms(kind: str, limit: int | None = None) -> list[tuple[str, int]]:
    """Each term of a kind (theme, format, keyword, license) that released records carry, with
    how many carry it: the most first."""
    query = (
        select(ReleasedTermCount.value, ReleasedTermCount.count)
        .where(ReleasedTermCount.kind == kind)
        .order_by(ReleasedTermCount.count.desc(), ReleasedTermCount.value)
        .limit(limit)
    )
    return [tuple(row) for row in db.session.execute(query)]


def released_facets(sizes: dict[str, int]) -> tuple[int, dict[str, dict[str, int]]]:
    """How many records are released, and how many of them are of each department, theme,
    license and (the most used, as many as `sizes` says) format and keyword: the whole
    catalog's counts, read off what is kept here rather than counted."""
    released = [kind for kind in counted() if is_released(kind[1], kind[2])]
    names = dict(db.session.execute(select(Department.id, Department.code)).tuples().all())
    titles = dict(db.session.execute(select(Department.code, Department.name)).tuples().all())
    by_department: dict[str, int] = {}
    for kind in released:
        code = names[kind[0]]
        by_department[code] = by_department.get(code, 0) + kind[-1]
    shown = {
        "department": dict(sorted(by_department.items(), key=lambda item: titles[item[0]])),
        "theme": dict(sorted(released_terms("theme"))),
        "license": dict(sorted(released_terms("license"))),
    }
    for kind, size in sizes.items():
        shown[kind] = dict(released_terms(kind, size))
    return sum(kind[-1] for kind in released), shown


def is_released(classification: str, status: str) -> bool:
    """Released, as every page and figure counts it (home, the catalog, the dashboard's key
    figure): published, at a level the public may read. A retired record was released once
    (the timeliness and release figures count it then), and a published one a re-review has
    since restricted is held, not released."""
    return status == State.PUBLISHED and classification in RELEASABLE


def search_examples(themes: list[tuple[str, int]] | None = None, count: int = 3) -> str:
    """What a search box offers as examples: the subjects most released records carry, which
    a search finds (their names are in every search document), or nothing before any release."""
    themes = released_themes() if themes is None else themes
    return ", ".join(theme.lower() for theme, _ in themes[:count])


def refresh_counts(limit: int = PASS_LIMIT) -> int:
    """Housekeeping: records without a kind (a bulk load went around the session, or the
    database was upgraded to kept counts), up to `limit` a pass."""
    session = db.session()
    missing = select(Dataset.id).where(~exists().where(RecordKind.dataset_id == Dataset.id))
    ids = list(session.scalars(missing.limit(limit)))
    return recount(session, ids)
