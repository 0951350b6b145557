"""The synthetic inventory behind the benchmarks is made of valid records: each passes the
rules the services hold a record to, every state and classification occurs, and the audit
chain and the checks of decisions, votes and versions against their events all pass."""

import pytest
from sqlalchemy import func, select, text

from registry.audit.services import verify_chain
from registry.cli_support import CommandLineOperator
from registry.datasets.models import Dataset, DatasetVersion
from registry.datasets.queries import Scope
from registry.datasets.search import find_datasets
from registry.datasets.services import record_problems
from registry.datasets.snapshots import snapshot
from registry.demo.city import load_demo_city
from registry.extensions import db
from registry.integrity import check_decisions, check_versions, check_votes
from registry.priorities.queue import release_queue
from registry.priorities.rounds import is_candidate_record
from registry.reviews.models import Decision, Vote
from registry.reviews.workflow import State
from registry.transfer.exports import ExportRequest, produce
from tests.conftest import ScratchDatabases
from tests.support.synthetic import synthesize

pytestmark = pytest.mark.own_database


@pytest.fixture(scope="module")
def synthetic(database_url, tmp_path_factory):
    databases = ScratchDatabases(database_url, tmp_path_factory.mktemp("synthetic"))
    app = databases()
    with app.app_context():
        load_demo_city()
        db.session.commit()
        made = synthesize(400, batch=150)
        yield made
        db.session.remove()
    databases.close()


def test_every_record_passes_the_services_rules(synthetic):
    records = list(db.session.scalars(select(Dataset)))
    assert len(records) == synthetic.datasets == 400
    for record in records:
        values = snapshot(record)
        assert record_problems(values) == {}, record.identifier
        assert values["version"] == record.version
    assert {record.status for record in records} == {str(state) for state in State}
    assert {record.classification for record in records} == {
        "public",
        "internal",
        "sensitive",
        "restricted",
    }
    restricted = [record for record in records if record.classification == "restricted"]
    assert all(record.status not in ("published", "approved") for record in restricted)


def test_the_chain_and_the_records_agree_with_their_events(synthetic):
    assert verify_chain().ok
    assert check_decisions() == check_votes() == check_versions() == []
    decided = {"changes_requested", "approved", "rejected", "published", "retired"}
    expected = sum(n for state, n in synthetic.by_state.items() if state in decided)
    assert db.session.scalar(select(func.count()).select_from(Decision)) == expected
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 3 * expected
    versions = db.session.scalar(select(func.count()).select_from(DatasetVersion))
    assert versions == synthetic.versions == 400 + 400 - synthetic.by_state["draft"]
    # Each record stands at its newest version, so the next edit keeps the one after it.
    newest = dict(
        db.session.execute(
            select(DatasetVersion.dataset_id, func.max(DatasetVersion.version)).group_by(
                DatasetVersion.dataset_id
            )
        ).all()
    )
    assert {record.id: record.version for record in db.session.scalars(select(Dataset))} == newest


def test_the_queue_scores_every_candidate_of_a_bulk_load(synthetic):
    candidates = db.session.scalar(
        select(func.count()).select_from(Dataset).where(is_candidate_record())
    )
    assert candidates and len(release_queue()) == candidates


def test_the_records_are_searchable_and_exportable(synthetic):
    found = find_datasets(CommandLineOperator(), {"q": "pothole"})
    assert found.total > 0
    export = produce(ExportRequest("csv", Scope.FULL), CommandLineOperator())
    assert export.rows == 400


@pytest.mark.postgres_only
def test_a_bulk_load_on_postgresql_ends_vacuumed_and_analyzed(synthetic):
    """Its pages are marked all-visible (counts read the index alone) and the planner knows
    how many records there are, without waiting for autovacuum."""
    visible, estimated = db.session.execute(
        text("SELECT relallvisible, reltuples FROM pg_class WHERE relname = 'datasets'")
    ).one()
    assert visible > 0 and estimated == 400
