"""The app's background mail sender: a thread per process, woken when a transaction that queued
mail commits, and every few minutes to retry what failed.

It claims each message before sending it (services.claim_next), so any number of processes and
`registry mail send` from cron can run side by side without sending a message twice. The thread
starts on first use in the process that needs it, so a forking server's workers each get their
own.
"""

import os
import threading

from flask import Flask, current_app, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from registry.extensions import db
from registry.notifications import services

SWEEP_SECONDS = 300


class MailSender:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self._stopped = threading.Event()

    def wake(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="registry-mail-sender", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        """Ends the thread after what it is sending (an app being shut down, or a test's)."""
        self._stopped.set()
        self._wake.set()

    def _run(self) -> None:
        while not self._stopped.is_set():
            self._wake.wait(timeout=SWEEP_SECONDS)
            self._wake.clear()
            if self._stopped.is_set():
                return
            with self.app.app_context():
                try:
                    services.deliver_pending(limit=1000)
                except Exception:  # the database may be down; try again at the next wake
                    self.app.logger.exception("The background mail sender failed")
                    db.session.rollback()
                finally:
                    db.session.remove()


def init_mail_sender(app: Flask) -> None:
    app.extensions["registry_mail_sender"] = MailSender(app)


@event.listens_for(Session, "after_commit")
def _wake_sender_after_commit(session: Session) -> None:
    """Mail queued by a request goes out once the request's transaction has committed."""
    if not session.info.pop(services.MAIL_QUEUED, False) or not has_request_context():
        return
    app = current_app._get_current_object()
    if app.config.get("MAIL_BACKGROUND_SENDER") and services.mail_enabled():
        app.extensions["registry_mail_sender"].wake()
