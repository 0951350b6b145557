"""Alembic environment: runs migrations against the app's engine and the models' metadata.

Batch mode (set in registry.extensions) lets SQLite alter tables; compare_type makes autogenerate
and the drift test notice column type changes.
"""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from registry.db import include_in_migrations

config = context.config
if config.config_file_name is not None:
    # Keep loggers the app (or pytest) already set up; the stock template silences them.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

migrate_ext = current_app.extensions["migrate"]
target_metadata = migrate_ext.db.metadata


def render_item(type_, obj, autogen_context):
    """Render our column types as plain SQLAlchemy ones, so no migration imports app code."""
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def skip_empty_autogenerate(_context, _revision, directives):
    """`registry db migrate` with no model change writes no empty revision file."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def run_offline() -> None:
    url = migrate_ext.db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    options = dict(migrate_ext.configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    options.setdefault("render_item", render_item)
    options.setdefault("include_object", include_in_migrations)
    with migrate_ext.db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
