"""Declarative base with the constraint naming convention, and column types shared by all models."""

import sqlite3
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator

from registry.turns import TurnTakingConnection

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# How far this context's clock is set from the real one. Only the demo city moves it (it replays
# two years of a program's history, so that every event, version and decision carries the date it
# would have had); in every request and command it is zero.
_CLOCK_SHIFT: ContextVar[timedelta] = ContextVar("registry_clock_shift", default=timedelta(0))


def utcnow() -> datetime:
    return datetime.now(UTC) + _CLOCK_SHIFT.get()


def utctoday() -> date:
    """Today's date in UTC, by the same clock as utcnow()."""
    return utcnow().date()


# How recent a moment is still "now": a page's now is when its request began, and a colleague's
# change committed since (milliseconds later) is read as part of the present, not as a future
# that sends the page to rebuild the past from versions.
PRESENT = timedelta(minutes=1)


def in_order_of(ids: list[int], rows: Iterable[Any]) -> list[Any]:
    """Rows read by their ids (`WHERE id IN ...`), in the order of `ids`: a page whose order was
    found first, then read whole. A row gone since its id was found is left out."""
    by_id = {row.id: row for row in rows}
    return [by_id[number] for number in ids if number in by_id]


def is_present(moment: datetime) -> bool:
    """Whether a moment is now (within the last minute, or still to come), read off what
    stands rather than rebuilt as of then."""
    return moment >= utcnow() - PRESENT


@contextmanager
def clock_at(moment: datetime):
    """Runs the block as if it were `moment` (the demo city's history; tests of clocks)."""
    token = _CLOCK_SHIFT.set(moment - datetime.now(UTC))
    try:
        yield
    finally:
        _CLOCK_SHIFT.reset(token)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database.

    SQLite stores no offset and hands back naive values; this type stores UTC and always returns
    an aware datetime, so comparisons and hashes agree between SQLite and PostgreSQL.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Whether the transactions begun on this thread (a request, a CLI command, a background job)
# may write. SQLite starts a reader's transaction DEFERRED: it reads a snapshot and never blocks
# a writer. A writer's transaction starts IMMEDIATE: it takes the write lock at BEGIN, waiting up
# to the busy timeout for it. A DEFERRED transaction that read first and then writes is refused
# at once when another writer committed in between (waiting cannot help it), which is why a
# request that will write says so before its first query. Outside a request the answer is yes.
WRITE_INTENT: ContextVar[bool] = ContextVar("registry_write_intent", default=True)


def before_a_slow_call(session) -> None:
    """Commits the transaction so far, so that no lock (SQLite's write lock, a PostgreSQL row
    lock) is held while another server answers (a portal, the city's identity provider), and
    marks the next transaction a writer's, for what is kept of the answer. Objects read before
    are read again after, in that transaction."""
    session.commit()
    WRITE_INTENT.set(True)


@contextmanager
def reading_only():
    """Transactions begun inside only read: on SQLite they never wait for, or hold, the write
    lock (exports, reports and checks that read a consistent snapshot)."""
    token = WRITE_INTENT.set(False)
    try:
        yield
    finally:
        WRITE_INTENT.reset(token)


@contextmanager
def writing():
    """Transactions begun inside write (a read's audit event, a token's last use, in a request
    that otherwise reads): on SQLite they begin IMMEDIATE, in their turn (registry.turns)."""
    token = WRITE_INTENT.set(True)
    try:
        yield
    finally:
        WRITE_INTENT.reset(token)


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy, not the sqlite3 module, emit BEGIN, so SAVEPOINTs and rollbacks behave.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Readers and the one writer proceed side by side. The busy timeout is the sqlite3 module's
    # `timeout`, set from LOCK_TIMEOUT_SECONDS in the engine options.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    if not WRITE_INTENT.get():
        conn.exec_driver_sql("BEGIN")
        return
    writer = conn.connection.dbapi_connection
    if isinstance(writer, TurnTakingConnection):
        writer.take_turn()  # registry.turns: writers queue in the kernel, then take the lock
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if isinstance(writer, TurnTakingConnection):
            writer.end_turn()
        raise


def is_lock_timeout(exc: BaseException) -> bool:
    """A write that could not get its lock in time: SQLite's busy timeout ran out, or PostgreSQL
    gave up on a lock, a deadlock or a serialization conflict. Safe to try again."""
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.OperationalError):
        message = str(orig).lower()
        return "locked" in message or "busy" in message
    # PostgreSQL: lock_not_available, deadlock_detected, serialization_failure.
    return getattr(orig, "sqlstate", None) in {"55P03", "40P01", "40001"}


# Made by migrations, per dialect, outside the models: the full-text search tables (with
# SQLite's FTS5 shadow tables). Migration drift checks leave them alone.
UNMODELLED_TABLE_PREFIXES = ("dataset_search",)


def include_in_migrations(obj, name, type_, reflected, compare_to) -> bool:
    """What the comparison of models and migrations looks at: not the tables outside the models,
    nor indexes on an expression, which each database writes back in its own words (PostgreSQL
    with casts and an ELSE NULL) and SQLite does not read back at all;
    tests/test_migrations.py checks those by name."""
    if type_ == "index" and (_on_an_expression(obj) or _on_an_expression(compare_to)):
        return False
    return not (type_ == "table" and name and name.startswith(UNMODELLED_TABLE_PREFIXES))


def _on_an_expression(index) -> bool:
    return index is not None and any(not isinstance(part, Column) for part in index.expressions)


class Unindexed(ColumnElement):
    """A column SQLite is told not to read an index on (`+column`), where its planner, which
    has no statistics, would pick an index that finds most of the table: the records due for
    re-review are most decided records, found far quicker by the day they were approved.
    Other databases read the column as it is."""

    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column) -> None:
        self.column = column
        self.type = column.type


@compiles(Unindexed)
def _as_it_is(element: Unindexed, compiler, **kw) -> str:
    return compiler.process(element.column, **kw)


@compiles(Unindexed, "sqlite")
def _without_its_index(element: Unindexed, compiler, **kw) -> str:
    return "+" + compiler.process(element.column, **kw)
