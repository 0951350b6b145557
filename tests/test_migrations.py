"""The schema is only ever made by migrations; models and migrations must agree (db-check)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from registry.db import include_in_migrations, reading_only
from registry.extensions import db


def test_models_and_migrations_agree(app):
    # The session fixture built this database with `upgrade head`, on SQLite or PostgreSQL.
    with reading_only(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_migrations}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_migrations_seed_the_audit_chain_head(app):
    from registry.audit.models import GENESIS_HASH, AuditChainHead

    head = db.session.get(AuditChainHead, 1)
    assert (head.seq, head.hash) == (0, GENESIS_HASH)
