"""The schema is only ever made by migrations; models and migrations must agree (db-check)."""

import warnings

import pytest
import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from registry.db import include_in_migrations, reading_only
from registry.extensions import db


def test_models_and_migrations_agree(app):
    # The session fixture built this database with `upgrade head`, on SQLite or PostgreSQL.
    # Indexes on an expression (the priority order's) are left out of the comparison
    # (registry.db.include_in_migrations); test_expression_indexes_exist checks them by name.
    with reading_only(), db.engine.connect() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", "autogenerate skipping (functional|metadata-specified)")
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_migrations}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_expression_indexes_exist(app):
    from registry.datasets.models import RELEASED_ORDER_ON_SQLITE, Dataset

    wanted = {
        index.name
        for index in Dataset.__table__.indexes
        if any(not isinstance(part, sqlalchemy.Column) for part in index.expressions)
    }
    released = {
        "ix_datasets_released",
        "ix_datasets_status_released",
        "ix_datasets_department_released",
        "ix_datasets_department_status_released",
        "ix_datasets_classification_released",
    }
    assert wanted == {
        "ix_datasets_status_priority",
        "ix_datasets_department_status_priority",
        "ix_datasets_department_priority",
        "ix_datasets_priority",
        "ix_datasets_restricted_released",  # SQLite's alone: a partial index of one level
        *released,
    }
    with reading_only(), db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            found = connection.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'datasets'"
            )
            wanted.discard("ix_datasets_restricted_released")  # SQLite's alone
        else:
            found = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'datasets'"
            )
            wanted -= released - RELEASED_ORDER_ON_SQLITE  # PostgreSQL's alone (datasets.models)
        assert wanted <= set(found.scalars())


def test_migrations_seed_the_audit_chain_head(app):
    from registry.audit.models import GENESIS_HASH, AuditChainHead

    head = db.session.get(AuditChainHead, 1)
    assert (head.seq, head.hash) == (0, GENESIS_HASH)


@pytest.mark.own_database
def test_the_catalogs_kept_counts_are_counted_again_by_the_migration_that_keeps_them(scratch_app):
    """0029 counts the formats, keywords and licenses of the records counted before it, as the
    registry counts them as records change: down to 0028 and back up, the counts are the same."""
    from flask_migrate import downgrade, upgrade

    from registry.dashboard.counts import RecordKind, ReleasedTermCount
    from registry.demo import load_demo

    app = scratch_app()
    with app.app_context():
        load_demo()
        db.session.commit()
        rows = select(ReleasedTermCount.kind, ReleasedTermCount.value, ReleasedTermCount.count)
        before = sorted(db.session.execute(rows).tuples())
        terms = dict(
            db.session.execute(select(RecordKind.dataset_id, RecordKind.terms)).tuples().all()
        )
        assert {kind for kind, _, _ in before} == {"theme", "format", "keyword", "license"}
        db.session.remove()
        downgrade(revision="0028")
        upgrade()
        assert sorted(db.session.execute(rows).tuples()) == before
        again = dict(
            db.session.execute(select(RecordKind.dataset_id, RecordKind.terms)).tuples().all()
        )
        assert again == terms
