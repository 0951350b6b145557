"""Nothing is lost when a process dies: the server (gunicorn, on a database file or a PostgreSQL
database of its own) is killed with SIGKILL in the middle of a large import and of a background
export. After a restart no partial import is visible, the export is never offered truncated
(it is reported failed, and prepared whole when asked again), the audit chain verifies and
SQLite's integrity check passes. Two imports into one department at once never interleave."""

import csv
import hashlib
import io
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from flask import current_app
from sqlalchemy import func, make_url, select

from registry.audit.models import AuditEvent
from registry.audit.services import verify_chain
from registry.audit.tags import Tag
from registry.cli_support import CommandLineOperator
from registry.datasets.models import Dataset
from registry.db import WRITE_INTENT, reading_only
from registry.demo.city import load_demo_city
from registry.extensions import db
from registry.transfer.import_jobs import tend_import_jobs
from registry.transfer.imports import run_import
from registry.transfer.jobs import tend_jobs
from registry.transfer.models import ExportJob, ImportJob, ImportUpload
from registry.transfer.workbooks import read_table
from tests import factories
from tests.conftest import ScratchDatabases
from tests.support.synthetic import synthesize
from tests.test_gunicorn import ROOT, free_port

pytestmark = pytest.mark.own_database


class Server:
    """The registry under gunicorn on a database, started and killed like a real one."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url, self.folder, self.process, self.base = url, folder, None, ""

    def start(self) -> None:
        port = free_port()
        env = {
            **os.environ,
            "REGISTRY_DATABASE_URL": self.url,
            "REGISTRY_BIND": f"127.0.0.1:{port}",
            "REGISTRY_WORKERS": "1",
            "REGISTRY_SECRET_KEY": "process-death-test-secret-key-0123456789",
            "REGISTRY_WTF_CSRF_ENABLED": "false",
            "REGISTRY_HOUSEKEEPING_THREAD": "false",
            "REGISTRY_MAIL_BACKGROUND_SENDER": "false",
            "REGISTRY_RATELIMIT_ENABLED": "false",
            "REGISTRY_EXPORT_JOBS_DIR": str(self.folder),
            "REGISTRY_EXPORT_BACKGROUND_ROWS": "100",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "registry:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the kill reaches every worker
        )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.base}/healthz", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def session(self, email: str) -> requests.Session:
        session = requests.Session()
        signed = session.post(
            f"{self.base}/sign-in",
            data={"email": email, "password": factories.PASSWORD},
            allow_redirects=False,
        )
        assert signed.status_code == 302
        return session


@pytest.fixture(scope="module")
def inventory(database_url, tmp_path_factory):
    """A database of its own with the demo city's people, a coordinator who can sign in, and
    10,000 records (their export rows not kept, so an export renders each: slow enough to be
    killed in the middle). The test's own reads never take SQLite's write lock from the
    server."""
    folder = tmp_path_factory.mktemp("process-death")
    databases = ScratchDatabases(database_url, folder)
    app = databases(EXPORT_JOB_STALE_SECONDS=0, EXPORT_JOBS_DIR=str(folder / "exports"))
    with app.app_context():
        load_demo_city()
        db.session.commit()
        coordinator = factories.user("coordinator").email
        synthesize(10_000, batch=5000)
        with reading_only():
            yield databases.apps[-1][2], folder / "exports", coordinator
        db.session.remove()
    databases.close()


@pytest.fixture
def city(inventory):
    url, folder, coordinator = inventory
    server = Server(url, folder)
    server.start()
    yield server, coordinator
    if server.process.poll() is None:
        server.kill()
    db.session.rollback()


def housekeeping() -> None:
    """Tends the jobs as housekeeping does, as a writer (it waits its turn for the lock)."""
    db.session.rollback()
    token = WRITE_INTENT.set(True)
    try:
        tend_jobs()
        tend_import_jobs()
    finally:
        WRITE_INTENT.reset(token)


def check_whole(server: Server) -> None:
    """The audit chain verifies, and SQLite finds its file sound."""
    db.session.rollback()
    assert verify_chain().ok
    url = make_url(server.url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(url.database) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def wait_for(condition, seconds: float = 120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("waited too long")


def job_state(session, server, job_id) -> dict:
    return session.get(f"{server.base}/exports/jobs/{job_id}/status", timeout=10).json()


def test_an_export_killed_midway_is_never_offered_and_finishes_when_asked_again(city):
    server, coordinator = city
    session = server.session(coordinator)
    asked = session.post(
        f"{server.base}/exports/jobs",
        data={"format": "xlsx", "scope": "full"},
        allow_redirects=False,
    )
    job_id = int(asked.headers["Location"].rsplit("/", 1)[1])
    # Running, and its file begun: the job commits `running` before it opens `<id>.part`, so a
    # kill between the two would find no file at all (an earlier run did, on PostgreSQL).
    part = server.folder / f"{job_id}.part"
    wait_for(lambda: job_state(session, server, job_id)["status"] == "running" and part.exists())
    server.kill()

    db.session.rollback()
    job = db.session.get(ExportJob, job_id)
    assert job.status == "running" and job.path is None and job.sha256 is None
    db.session.rollback()
    assert [path.name for path in server.folder.iterdir()] == [part.name]
    check_whole(server)

    server.start()
    session = server.session(coordinator)
    assert session.get(f"{server.base}/exports/jobs/{job_id}/file").status_code == 404
    housekeeping()  # the job's heartbeat stopped
    assert job_state(session, server, job_id)["status"] == "failed"
    assert list(server.folder.iterdir()) == []

    again = session.post(
        f"{server.base}/exports/jobs",
        data={"format": "xlsx", "scope": "full"},
        allow_redirects=False,
    )
    retry = int(again.headers["Location"].rsplit("/", 1)[1])
    state = wait_for(
        lambda: (s := job_state(session, server, retry))["status"] in ("done", "failed") and s
    )
    assert state["status"] == "done" and state["rows_written"] == 10_000
    download = session.get(f"{server.base}/exports/jobs/{retry}/file", timeout=60)
    assert hashlib.sha256(download.content).hexdigest() == download.headers["X-Content-SHA256"]
    check_whole(server)


def _inventory(rows: int, prefix: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Dataset Name", "Agency", "Data Classification", "Description"])
    for number in range(rows):
        writer.writerow([f"{prefix} {number}", "PW", "public", "Imported in a test."])
    return out.getvalue().encode()


def import_state(session, server, job_id) -> dict:
    return session.get(f"{server.base}/imports/jobs/{job_id}/status", timeout=10).json()


def test_an_import_killed_midway_leaves_nothing(city):
    """A file this large is previewed and imported in the background (IMPORT_INLINE_ROWS):
    the server is killed once its import job has written progress, mid-transaction."""
    server, coordinator = city
    session = server.session(coordinator)
    before = db.session.scalar(select(func.count()).select_from(Dataset))
    asked = session.post(
        f"{server.base}/imports",
        data={"department": ""},
        files={"file": ("inventory.csv", _inventory(8000, "Killed import"), "text/csv")},
        allow_redirects=False,
        timeout=60,
    )
    assert asked.status_code == 302, asked.text[:300]
    preview = int(asked.headers["Location"].rsplit("/", 1)[1])
    wait_for(lambda: import_state(session, server, preview)["status"] == "done")
    page = session.get(f"{server.base}/imports/jobs/{preview}", timeout=60).text
    upload = re.search(r"/imports/(\d+)/confirm", page).group(1)
    confirmed = session.post(
        f"{server.base}/imports/{upload}/confirm", allow_redirects=False, timeout=60
    )
    job_id = int(confirmed.headers["Location"].rsplit("/", 1)[1])
    wait_for(lambda: import_state(session, server, job_id)["rows_written"] > 0)
    server.kill()

    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Dataset)) == before
    titled = select(func.count()).select_from(Dataset).where(Dataset.title.like("Killed%"))
    assert db.session.scalar(titled) == 0
    imported = select(func.count()).select_from(AuditEvent).where(AuditEvent.tag == Tag.IMPORT)
    assert db.session.scalar(imported) == 0
    check_whole(server)
    housekeeping()  # its heartbeat stopped: the job is failed, the upload kept to try again
    db.session.rollback()
    job = db.session.get(ImportJob, job_id)
    assert job.status == "failed" and "nothing was imported" in job.error
    assert db.session.get(ImportUpload, int(upload)) is not None
    db.session.rollback()


def test_two_imports_into_one_department_never_interleave(city):
    server, _ = city
    server.kill()  # the imports run here, each in a thread on its own connection
    app = current_app._get_current_object()
    done: dict[str, object] = {}

    def importing(prefix: str) -> None:
        with app.app_context():
            table = read_table("inventory.csv", _inventory(150, prefix))
            report = run_import(table, actor=CommandLineOperator(), dry_run=False, digest=prefix)
            db.session.commit()
            done[prefix] = report
            db.session.remove()

    threads = [threading.Thread(target=importing, args=(p,)) for p in ("First", "Second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(len(report.created) == 150 for report in done.values()) and len(done) == 2
    db.session.rollback()
    created = db.session.execute(
        select(AuditEvent.seq, AuditEvent.subject_id).where(AuditEvent.tag == Tag.DATASET_CREATE)
    ).all()
    titles = dict(db.session.execute(select(Dataset.identifier, Dataset.title)).tuples().all())
    for prefix in ("First", "Second"):
        seqs = sorted(seq for seq, subject in created if titles[subject].startswith(prefix))
        assert len(seqs) == 150 and seqs[-1] - seqs[0] == 149  # one unbroken run each
    check_whole(server)
