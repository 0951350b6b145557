"""Writers on SQLite take turns through a lock file beside the database (registry.turns): a
writing transaction holds its turn from BEGIN to its commit or rollback, a reader never takes
one, a writer in line goes as soon as the turn is free, and one that never gets it is left to
SQLite's own lock and timeout, whose refusal is the one the registry already answers."""

import fcntl
import os
import sqlite3
import subprocess
import sys
import threading

import pytest
from sqlalchemy import func, make_url, select, update
from sqlalchemy.exc import OperationalError

from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.datasets.models import Dataset
from registry.db import is_lock_timeout, reading_only
from registry.extensions import db
from tests import factories

pytestmark = pytest.mark.own_database
RESTRICTED_READ = str(Tag.DATASET_READ_RESTRICTED)


@pytest.fixture
def file_app(scratch_app, database_url):
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("turns are SQLite's: PostgreSQL queues its writers by row locks")

    def make(**config):
        app = scratch_app(**config)
        with app.app_context():
            app.extensions["turns_test_record"] = factories.dataset(title="Before").id
            db.session.commit()
        return app

    return make


def turns_file(app) -> str:
    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database + "-writers"


def turn_is_free(app) -> bool:
    """Whether the turn can be taken from outside at this moment (and lets it go at once)."""
    handle = os.open(turns_file(app), os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(handle)  # closing lets go of a lock it took
    return True


def retitle(app, title: str) -> None:
    record = app.extensions["turns_test_record"]
    db.session.execute(update(Dataset).where(Dataset.id == record).values(title=title))


def title_of(app) -> str:
    with app.app_context():
        record = app.extensions["turns_test_record"]
        return db.session.scalar(select(Dataset.title).where(Dataset.id == record))


@pytest.mark.parametrize("ending", ["commit", "rollback"])
def test_a_writer_holds_its_turn_from_its_first_statement_until_it_ends(file_app, ending):
    app = file_app()
    with app.app_context():
        assert turn_is_free(app)
        retitle(app, "During")
        held = not turn_is_free(app)
        getattr(db.session, ending)()
        assert (held, turn_is_free(app)) == (True, True)
    assert title_of(app) == ("During" if ending == "commit" else "Before")


def test_a_reader_takes_no_turn(file_app):
    app = file_app()
    with app.app_context(), reading_only():
        assert db.session.scalar(select(Dataset.title)) == "Before"
        assert turn_is_free(app)
        db.session.rollback()


def test_a_writer_in_line_waits_for_the_turn_then_writes(file_app):
    app = file_app(LOCK_TIMEOUT_SECONDS=30)
    holder = os.open(turns_file(app), os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    asked, done, failures = threading.Event(), threading.Event(), []

    def write() -> None:
        with app.app_context():
            try:
                asked.set()
                retitle(app, "After")
                db.session.commit()
            except Exception as exc:  # the thread's failure would vanish with it
                failures.append(repr(exc))
            finally:
                done.set()

    writer = threading.Thread(target=write)
    writer.start()
    asked.wait(10)
    # However long the turn is held (within the timeout), the writer waits for it.
    waited_while_held = not done.wait(0.5)
    os.close(holder)
    writer.join(30)
    assert (waited_while_held, failures, title_of(app)) == (True, [], "After")


def test_an_audited_read_writes_its_event_in_its_turn(file_app):
    """A GET that lists a restricted record writes its audit event as a writer's transaction,
    in its turn, rather than as a reader's that asks SQLite for the lock on its first write."""
    app = file_app(LOCK_TIMEOUT_SECONDS=30)
    with app.app_context():
        secret = factories.token(factories.user("coordinator")).secret
        factories.dataset(title="Sealed", classification="restricted")
        db.session.commit()
    holder = os.open(turns_file(app), os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    answers: list = []
    reading = threading.Thread(
        target=lambda: answers.append(
            app.test_client()
            .get("/api/v1/datasets?classification=restricted", headers=bearer(secret))
            .status_code
        )
    )
    reading.start()
    reading.join(0.5)
    waited_while_held = reading.is_alive()
    os.close(holder)
    reading.join(30)
    with app.app_context():
        events = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.tag == RESTRICTED_READ)
        )
    assert (waited_while_held, answers, events) == (True, [200], 1)


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_a_writer_whose_turn_never_comes_is_refused_as_a_lock_timeout(file_app):
    app = file_app(LOCK_TIMEOUT_SECONDS=0.2)
    holder = os.open(turns_file(app), os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    # SQLite's own lock held too, by a connection that takes no turn (the sqlite3 shell's way).
    shell = sqlite3.connect(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
    shell.isolation_level = None
    shell.execute("BEGIN IMMEDIATE")
    try:
        with app.app_context(), pytest.raises(OperationalError) as refused:
            retitle(app, "After")
    finally:
        shell.execute("ROLLBACK")
        shell.close()
        os.close(holder)
    assert is_lock_timeout(refused.value) and title_of(app) == "Before"


def test_a_turn_held_past_the_timeout_leaves_the_decision_to_sqlite(file_app):
    """Held by something that is not writing (SQLite's lock is free), the turn does not stop a
    writer for longer than the busy timeout: it then writes."""
    app = file_app(LOCK_TIMEOUT_SECONDS=0.2)
    holder = os.open(turns_file(app), os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        with app.app_context():
            retitle(app, "After")
            db.session.commit()
    finally:
        os.close(holder)
    assert title_of(app) == "After"


def test_a_process_that_dies_holding_its_turn_loses_it(file_app):
    app = file_app(LOCK_TIMEOUT_SECONDS=30)
    holder = subprocess.Popen(  # noqa: S603 - this Python running the test's own lines
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "handle = os.open(sys.argv[1], os.O_RDWR)\n"
            "fcntl.flock(handle, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(600)\n",
            turns_file(app),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    assert not turn_is_free(app)
    holder.kill()
    holder.wait(10)
    holder.stdout.close()
    assert turn_is_free(app)
    with app.app_context():
        retitle(app, "After")
        db.session.commit()
    assert title_of(app) == "After"
