"""While a portal is read (seconds, on a slow portal), the registry holds no lock: another
writer commits meanwhile. Through separate connections, on a database of the test's own (a
SQLite file, whose one write lock a reading would otherwise hold, or a fresh PostgreSQL
database), with a portal that answers only when the test lets it."""

import threading

import pytest

from registry.db import WRITE_INTENT
from registry.extensions import db
from registry.portal.models import PortalSource
from registry.portal.reconcile import add_source, check_source

pytestmark = pytest.mark.own_database


def test_another_writer_commits_while_a_portal_is_read(scratch_app, portal):
    from tests import factories

    app = scratch_app(LOCK_TIMEOUT_SECONDS=2)
    with app.app_context():
        coordinator = factories.user("coordinator")
        raw = {"kind": "datajson", "url": portal.base + "/held", "allow_private": True}
        source_id = add_source(raw, actor=coordinator).id
        db.session.commit()
    outcome: dict = {}

    def read() -> None:
        with app.test_request_context(method="POST"):  # a writer's request, as the page's
            WRITE_INTENT.set(True)
            try:
                source = db.session.get(PortalSource, source_id)
                outcome["problem"] = check_source(source, actor=None)
                db.session.commit()
            finally:
                db.session.remove()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        assert portal.entered.wait(30), "the portal was never asked"
        with app.app_context():  # meanwhile, another writer (it would wait 2 s, then fail)
            factories.department(code="MEAN", name="Written meanwhile")
            db.session.remove()
    finally:
        portal.release.set()
        reader.join(30)
    assert outcome == {"problem": None}
    with app.app_context():
        assert db.session.get(PortalSource, source_id).last_count == 0
