"""The schema is only ever made by migrations; models and migrations must agree (db-check)."""

import warnings

import sqlalchemy
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

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
    from registry.datasets.models import Dataset

    wanted = {
        index.name
        for index in Dataset.__table__.indexes
        if any(not isinstance(part, sqlalchemy.Column) for part in index.expressions)
    }
    assert wanted == {
        "ix_datasets_status_priority",
        "ix_datasets_department_status_priority",
        "ix_datasets_department_priority",
        "ix_datasets_priority",
    }
    with reading_only(), db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            found = connection.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'datasets'"
            )
        else:
            found = connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'datasets'"
            )
        assert wanted <= set(found.scalars())


def test_migrations_seed_the_audit_chain_head(app):
    from registry.audit.models import GENESIS_HASH, AuditChainHead

    head = db.session.get(AuditChainHead, 1)
    assert (head.seq, head.hash) == (0, GENESIS_HASH)
