"""Housekeeping that runs by the clock rather than on anyone's request: announcing voting rounds
that opened or closed by time, keeping the release queue's scores as time moves them
and any record a bulk load left without its derived values (registry.derived), clearing
expired uploads, tending background exports (failing
those whose process died, removing expired files: registry.transfer.jobs) and keeping the
export rows of changed records (registry.transfer.rendered), and reading each of the city's
portals once a day and the links of what they list (registry.portal). A thread per app
process does it every minute (started by the process's first request); `registry
housekeeping` does the same once, for cron. Each task claims its work in the database or
does work that is harmless twice (a kept row rendered by two processes is the same row), so
any number of processes and cron can run side by side."""

import os
import threading
from datetime import timedelta

import click
from flask import Flask
from sqlalchemy import delete

from registry.dashboard.counts import refresh_counts
from registry.db import utcnow
from registry.extensions import db
from registry.portal.links import check_due_links
from registry.portal.reconcile import check_due_portals
from registry.priorities.rounds import announce_due_rounds
from registry.priorities.standings import refresh_standings
from registry.transfer.import_jobs import tend_import_jobs
from registry.transfer.jobs import tend_jobs
from registry.transfer.models import ImportUpload
from registry.transfer.rendered import refresh_export_rows

INTERVAL_SECONDS = 60


def expire_uploads() -> int:
    """Uploaded files nobody confirmed within a day."""
    cutoff = utcnow() - timedelta(days=1)
    return db.session.execute(delete(ImportUpload).where(ImportUpload.created_at < cutoff)).rowcount


TASKS = (
    announce_due_rounds,
    refresh_standings,
    refresh_counts,
    expire_uploads,
    tend_jobs,
    tend_import_jobs,
    refresh_export_rows,
    check_due_portals,
    check_due_links,
)


def run_once() -> None:
    for task in TASKS:
        task()
        db.session.commit()


class Housekeeper:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._stopped = threading.Event()

    def stop(self) -> None:
        """Ends the thread at its next wake (an app being shut down, or a test's)."""
        self._stopped.set()

    def ensure_running(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid != os.getpid():  # a forked worker starts its own
                self._pid = os.getpid()
                threading.Thread(
                    target=self._run, name="registry-housekeeping", daemon=True
                ).start()

    def _run(self) -> None:
        while not self._stopped.wait(INTERVAL_SECONDS):
            with self.app.app_context():
                try:
                    run_once()
                except Exception:  # the database may be down; the next minute tries again
                    self.app.logger.exception("Housekeeping failed")
                    db.session.rollback()
                finally:
                    db.session.remove()


def init_housekeeping(app: Flask) -> None:
    if not app.config.get("HOUSEKEEPING_THREAD", True):
        return
    housekeeper = Housekeeper(app)
    app.extensions["registry_housekeeper"] = housekeeper

    @app.before_request
    def start_housekeeping():
        housekeeper.ensure_running()


@click.command("housekeeping")
def housekeeping_command():
    """Announce rounds that opened or closed, keep the queue's scores, clear expired uploads
    (run it from cron). Scores a database upgraded to kept scores to the end."""
    run_once()
    while refresh_standings() + refresh_counts():
        db.session.commit()
    db.session.commit()
    click.echo("Housekeeping done.")
