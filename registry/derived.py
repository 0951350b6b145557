"""Values derived from the records, kept where they change: written in the same transaction as
the change that moves them, so that no reader recomputes them over the whole inventory.

The one rule, for every such value: the session's flush events note which records a change
touched (`touched` below says, model by model), and just before the transaction commits each
keeper registered with `keeps` rewrites what it derives from those records, reading them as the
transaction leaves them. A reader inside a writing transaction calls settle() first, so it sees
what it wrote. Keepers take the audit chain head's lock (already held by any writer that
audited), so two transactions never derive from each other's half-written state.

Writes that go around the session (a bulk load's plain INSERTs) call the keepers themselves,
and each keeper's housekeeping pass puts right any record it finds without its derived rows.

What remains worth keeping in a process is kept with the `generation` of what it reads, and
holds while that has not moved. The same flush events move a generation, in the same
transaction, whenever anything it is declared over changes: one rule for everything kept,
declared here beside the models. There are three:
- ANSWERS (registry.memo: the figures, the report's plan) moves with any change to the models
  those answers read (ANSWERS_READ);
- RECORDS (registry.memo: a search's or a listing's counts) moves with a change to the records,
  their themes and city priorities, or the departments (RECORDS_READ), not with a vote, an
  assessment or a request, which no count of records reads;
- NAMES (datasets.dumps: a record's API dump, kept with the record's version, which the ORM
  moves on every change of its row) moves when a name a dump shows from another row changes
  (NAMES_READ): a department's, a steward's, a city priority's.
"""

import secrets
from collections.abc import Callable, Iterable, Iterator

from sqlalchemy import BigInteger, event, inspect, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from registry.accounts.models import Department, User
from registry.audit.models import AuditChainHead
from registry.datasets.models import Dataset, DatasetTheme
from registry.extensions import db
from registry.performance.models import CityPriority, Measure, MeasureSource, MeasureValue
from registry.portal.models import PortalUpdate
from registry.priorities.models import (
    Assessment,
    Ballot,
    DataRequest,
    RoundVote,
    ScoreOverride,
    VotingRound,
)
from registry.reviews.models import Decision, ReleaseDelay

PENDING = "registry_derived"
MOVED = "registry_generation_moves"
SEEN = "registry_generations_seen"  # what this transaction read of them
ANSWERS, NAMES, RECORDS, SEARCHED = 1, 2, 3, 4  # the generations' rows
# What the answers kept in processes read (registry.memo): the records, their themes and city
# priorities, the departments that hold them, data requests, rounds and their votes, the
# committee's decisions, the reasons on record for late releases, the days portals showed
# records' changes (the dashboard's freshness), and the measures with their values.
ANSWERS_READ = (
    Dataset,
    DatasetTheme,
    CityPriority,
    Department,
    DataRequest,
    VotingRound,
    Ballot,
    RoundVote,
    Assessment,
    ScoreOverride,
    Decision,
    ReleaseDelay,
    PortalUpdate,
    Measure,
    MeasureSource,
    MeasureValue,
)
RECORDS_READ = (Dataset, DatasetTheme, CityPriority, Department)
# What a record's dump shows of other rows than its own (its themes and city priorities are
# written only with the record's row, through datasets.services.touch): these names, and
# whether a city priority still exists.
NAMES_READ = {Department: ("code", "name"), User: ("email", "name"), CityPriority: ("name",)}
# What a search's total counted by the engine alone reads (datasets.documents.document_of): a
# record's words, its scope words (status, level, department), its themes' and department's
# names. A vote or an edit of anything else (a priority, a target date) leaves such totals be.
SEARCHED_READ = {
    Dataset: (
        "title",
        "description",
        "keywords",
        "additional_fields",
        "status",
        "classification",
        "department_id",
    ),
    Department: ("name",),
}


class Generation(db.Model):
    """One row a generation (ANSWERS, NAMES, RECORDS, SEARCHED): moves whenever what it is
    over changes."""

    __tablename__ = "generations"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


# keeper(session, records, closed_rounds): rewrites what it derives from those records.
KEEPERS: list[Callable[[Session, set[int], set[int]], None]] = []


def keeps(keeper):
    """Registers a keeper of derived values (see the module's rule)."""
    KEEPERS.append(keeper)
    return keeper


def _changed(target, names) -> bool:
    state = inspect(target)
    return any(state.attrs[name].history.has_changes() for name in names)


def _renames(session: Session, target) -> bool:
    """Whether a flushed object changes a name existing dumps show (a new one shows in none)."""
    names = NAMES_READ.get(type(target))
    if names is None or target in session.new:
        return False
    return target in session.deleted or _changed(target, names)


def _searched(session: Session, target) -> bool:
    """Whether a flushed object changes what a search's words or scope words hold."""
    if isinstance(target, DatasetTheme):
        return True
    names = SEARCHED_READ.get(type(target))
    if names is None:
        return False
    return target in session.new or target in session.deleted or _changed(target, names)


def touched(session: Session, target) -> tuple[set[int], set[int]]:
    """The records (and voting rounds closed early) whose derived values a flushed object may
    move: a record itself, its assessments, the data requests linked to it (and the record a
    request was linked to before), its score overrides, a measure's link to it; a department's
    new name moves its records' (search documents hold it); a round's closing moves the scores
    of every record voted for in it."""
    if isinstance(target, Dataset):
        return {target.id}, set()
    if isinstance(target, Department) and _changed(target, ["name"]):
        held = select(Dataset.id).where(Dataset.department_id == target.id)
        return set(session.scalars(held)), set()
    if isinstance(target, DatasetTheme):
        return {target.dataset_id}, set()
    if isinstance(target, (Assessment, ScoreOverride, MeasureSource)):
        return {target.dataset_id}, set()
    if isinstance(target, DataRequest):
        history = inspect(target).attrs.dataset_id.history
        return {target.dataset_id, *history.deleted} - {None}, set()
    if isinstance(target, VotingRound) and _changed(target, ["closed_early_at", "closes_at"]):
        return set(), {target.id}
    return set(), set()


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context) -> None:
    records: set[int] = set()
    rounds: set[int] = set()
    changed = (*session.new, *session.dirty, *session.deleted)
    for target in changed:
        found, closed = touched(session, target)
        records |= found
        rounds |= closed
    moved = session.info.setdefault(MOVED, set())
    if any(isinstance(target, ANSWERS_READ) for target in changed):
        moved.add(ANSWERS)
    if any(isinstance(target, RECORDS_READ) for target in changed):
        moved.add(RECORDS)
    if any(_renames(session, target) for target in changed):
        moved.add(NAMES)
    if any(_searched(session, target) for target in changed):
        moved.add(SEARCHED)
    if records or rounds:
        pending = session.info.setdefault(PENDING, (set(), set()))
        pending[0].update(records)
        pending[1].update(rounds)


@event.listens_for(Session, "before_commit")
def _settle_before_commit(session: Session) -> None:
    session.flush()  # what the commit would flush next is noted now, and settled with the rest
    settle(session)
    moved = session.info.pop(MOVED, None)
    if moved:
        move_generation(session, *sorted(moved))


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(MOVED, None)


def note_written(session: Session, model: type) -> None:
    """Rows of `model` written by a statement rather than the unit of work, which the flush
    events do not see: the generations over it move at commit all the same."""
    moved = session.info.setdefault(MOVED, set())
    if issubclass(model, ANSWERS_READ):
        moved.add(ANSWERS)
    if issubclass(model, RECORDS_READ):
        moved.add(RECORDS)
    if issubclass(model, (Dataset, DatasetTheme, Department)):
        moved.add(SEARCHED)


def move_generation(session: Session, *generations: int) -> None:
    """What is kept with these generations (by default all) is stale from this commit on (a bulk
    load calls it itself)."""
    moving = update(Generation).values(value=Generation.value + 1)
    if generations:
        moving = moving.where(Generation.id.in_(generations))
    session.info.pop(SEEN, None)
    session.execute(moving)


def new_lineage() -> None:
    """A restored database starts its generations afresh, at a value no process can have kept
    an answer at (it had counted on another database's)."""
    if inspect(db.engine).has_table(Generation.__tablename__):
        db.session.info.pop(SEEN, None)
        db.session.execute(update(Generation).values(value=secrets.randbits(52)))


def generation(which: int = ANSWERS) -> int:
    """The state of what a generation is over, as of this transaction: all of them are read at
    its first question and kept until it ends (a listing asks for two). Read before what is
    kept with them is computed, a value is never newer than what it is kept with."""
    session = db.session()
    seen = session.info.get(SEEN)
    if seen is None:
        rows = session.execute(select(Generation.id, Generation.value))
        seen = {which: value for which, value in rows}
        session.info[SEEN] = seen
    return seen.get(which, 0)


@event.listens_for(Session, "after_transaction_end")
def _forget_seen(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(SEEN, None)


def settle(session: Session | None = None) -> None:
    """Rewrites what this transaction's changes so far derive (a reader calls it first)."""
    session = session or db.session()
    session.flush()
    if not session.info.get(PENDING):
        return
    records, rounds = session.info.pop(PENDING)
    take_writers_lock(session)
    for keeper in KEEPERS:
        keeper(session, records, rounds)


def locked_chunks(session: Session, ids: Iterable[int | None], size: int) -> Iterator[list[int]]:
    """The records a keeper rewrites, each once, in id order (so that two writers lock their
    rows alike), `size` at a time, after the writers' lock is taken; nothing for no records."""
    wanted = sorted({record for record in ids if record is not None})
    if not wanted:
        return
    take_writers_lock(session)
    for start in range(0, len(wanted), size):
        yield wanted[start : start + size]


def take_writers_lock(session: Session) -> None:
    """The audit chain head's row lock, which every auditing writer takes (on SQLite every
    writing transaction already holds the database's write lock)."""
    session.execute(select(AuditChainHead.id).where(AuditChainHead.id == 1).with_for_update())
