"""The dashboard's two readings of the inventory agree: at a moment after the last change, the
groups counted as records change (catalog.counts, read by catalog.tally._live) are exactly
those read from the records as they stood (catalog.tally._as_of, through the versions), on the
demo city, whose two years of history were replayed through the services, so every kind of
record, release, delay and request is in it. The figures' own expectations are in test_stats.py."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.dashboard import tally
from registry.datasets.models import DatasetVersion
from registry.db import utcnow
from registry.extensions import db

pytestmark = pytest.mark.own_database  # the demo database is outside the per-test rollback


@pytest.fixture
def demo(demo_app):
    with demo_app.app_context():
        yield demo_app
        db.session.rollback()


def test_the_live_count_and_the_records_as_they_stood_agree(demo):
    moment = utcnow()
    live, as_of = tally._live(moment), tally._as_of(moment)
    assert sum(live.kinds.values()) > 50
    assert live.kinds == as_of.kinds
    assert live.supports == as_of.supports and live.supports
    assert live.owners == as_of.owners and live.owners
    # What moves with time alone, counted by indexed queries, agrees too, and occurs.
    assert live.overdue == as_of.overdue and live.overdue
    assert live.recent == as_of.recent and live.recent
    # Every derived status occurs, so the agreement is not of empty columns.
    for flag in ("on_time", "late", "complete"):
        assert any(getattr(kind, flag) for kind in live.kinds), flag
        assert any(not getattr(kind, flag) for kind in live.kinds), flag


def test_a_moment_before_the_last_change_reads_the_records_as_they_stood(demo, monkeypatch):
    last = db.session.scalar(select(func.max(DatasetVersion.changed_at)))
    calls = []
    monkeypatch.setattr(tally, "_live", lambda moment: calls.append("live"))
    monkeypatch.setattr(tally, "_as_of", lambda moment: calls.append("as of"))
    tally.tally(last - timedelta(days=30))
    tally.tally(last)
    assert calls == ["as of", "live"]
