"""Where background work runs, for every kind of job (a large export, a verification of the
audit log): one small interface, `submit(task, job_id)`, where `task` is a module-level function
taking the job's id. A worker thread in each app process (the embedded default), RQ on Redis
where JOBS_REDIS_URL is set (`registry worker` runs its workers), or inline, at once in the asking
thread (the test suite). Each kind of job keeps its own row, claims it once and reports its
progress there; this module only decides where the function runs."""

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app
from redis import Redis
from rq import Queue

from registry.extensions import db

Task = Callable[[int], None]


class InlineRunner:
    """Runs a job in the asking thread, at once, in its transaction (tests)."""

    shares_transaction = True

    def submit(self, task: Task, job_id: int) -> None:
        task(job_id)


class ThreadRunner:
    """One worker thread per app process (started by its first job; a forked worker starts
    its own), so jobs queue behind each other rather than crowd the machine."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._pool: ThreadPoolExecutor | None = None

    def submit(self, task: Task, job_id: int) -> None:
        with self._lock:
            if self._pid != os.getpid() or self._pool is None:
                self._pid = os.getpid()
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="registry-jobs")
        self._pool.submit(self._run, task, job_id)

    def _run(self, task: Task, job_id: int) -> None:
        with self.app.app_context():
            try:
                task(job_id)
            except Exception:  # the database may be down: housekeeping tends the job later
                self.app.logger.exception("Background job %s (%s) could not run", job_id, task)
            finally:
                db.session.remove()


class RQRunner:
    """Jobs on an RQ queue in Redis, for workers anywhere (`registry worker`)."""

    QUEUE = "registry-exports"

    def __init__(self, url: str) -> None:
        self.queue = Queue(self.QUEUE, connection=Redis.from_url(url))

    def submit(self, task: Task, job_id: int) -> None:
        self.queue.enqueue(run_queued, task, job_id, job_timeout=3600, result_ttl=0)


def run_queued(task: Task, job_id: int) -> None:
    """A job as an RQ worker runs it (`registry worker`, in the app's context)."""
    try:
        task(job_id)
    finally:
        db.session.remove()


def runner():
    return current_app.extensions["registry_jobs"]


def shares_transaction() -> bool:
    """Whether jobs run inside the asking request's transaction (inline): progress is then
    written there rather than in a short transaction of its own."""
    return getattr(runner(), "shares_transaction", False)


def write_progress(statement) -> int:
    """A job's progress (an UPDATE of its own row) in a short transaction of its own, so that it
    is seen while the job's long read goes on; an inline job writes it in the asker's
    transaction instead. Returns the rows it changed."""
    if shares_transaction():
        return db.session.execute(statement).rowcount
    with db.engine.begin() as connection:
        return connection.execute(statement).rowcount


def init_jobs(app: Flask) -> None:
    runner_name = app.config.get("JOBS_RUNNER") or ""
    url = app.config.get("JOBS_REDIS_URL") or ""
    if runner_name == "inline":
        chosen = InlineRunner()
    elif url:
        chosen = RQRunner(url)
    else:
        chosen = ThreadRunner(app)
    app.extensions["registry_jobs"] = chosen
