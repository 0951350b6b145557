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
for the front page's subjects. What moves with time alone (overdue, updated in the last year)
is counted by indexed queries instead (catalog.tally).
"""

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, delete, exists, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

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


class ReleasedThemeCount(db.Model):
    """How many released records carry a theme (rows reaching 0 are removed)."""

    __tablename__ = "released_theme_counts"

    theme: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


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


def _released_themes(kind: tuple | None, themes: list[str]) -> list[str]:
    """A record's themes if it is released (published at levels 1 to 3), else none."""
    if kind is None or kind[2] != State.PUBLISHED or kind[1] not in RELEASABLE:
        return []
    return themes


@keeps
def keep_counts(session: Session, records: set[int], _rounds: set[int]) -> None:
    recount(session, records)


def recount(session: Session, ids) -> int:
    """Reads these records' kinds again and moves the counts by the difference."""
    moved = 0
    for part in locked_chunks(session, ids, CHUNK):
        before, themes_before = _kept_kinds(session, part)
        after, themes_after = _kinds_of(session, part), _themes_of(session, part)
        delta: dict[tuple, int] = {}
        by_theme: dict[str, int] = {}
        changed = []
        for record in part:
            old, new = before.get(record), after.get(record)
            old_themes, new_themes = themes_before.get(record, []), themes_after[record]
            if (old, old_themes) == (new, new_themes if new is not None else []):
                continue
            changed.append(record)
            _move(delta, old, -1)
            _move(delta, new, +1)
            for theme in _released_themes(old, old_themes):
                _move(by_theme, (theme,), -1)
            for theme in _released_themes(new, new_themes):
                _move(by_theme, (theme,), +1)
        if changed:
            _keep_kinds(session, changed, after, themes_after)
            _apply(session, KindCount, KEY, delta)
            _apply(session, ReleasedThemeCount, ("theme",), by_theme)
            moved += len(changed)
    return moved


def _move(delta: dict[tuple, int], key: tuple | None, by: int) -> None:
    if key is not None:
        delta[key] = delta.get(key, 0) + by


def _kept_kinds(session: Session, part: list[int]) -> tuple[dict[int, tuple], dict[int, list]]:
    """The kinds and themes these records were last counted with."""
    kinds, themes = {}, {}
    columns = (RecordKind.dataset_id, *(getattr(RecordKind, k) for k in KEY), RecordKind.themes)
    for row in session.execute(select(*columns).where(RecordKind.dataset_id.in_(part))):
        kinds[row[0]], themes[row[0]] = tuple(row[1:-1]), list(row[-1])
    return kinds, themes


def _keep_kinds(session: Session, changed: list[int], after, themes_after) -> None:
    """The records' kinds as they are counted now (a record gone has none)."""
    session.execute(delete(RecordKind).where(RecordKind.dataset_id.in_(changed)))
    fresh = [
        {**dict(zip(("dataset_id", *KEY), (r, *after[r]), strict=True)), "themes": themes_after[r]}
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
    query = select(ReleasedThemeCount.theme, ReleasedThemeCount.count)
    return [
        tuple(row)
        for row in db.session.execute(
            query.order_by(ReleasedThemeCount.count.desc(), ReleasedThemeCount.theme)
        )
    ]


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
