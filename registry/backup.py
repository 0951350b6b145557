"""`registry backup -o FILE` and `registry restore FILE`: a consistent copy of the whole
database, taken while the registry runs, and put back into an empty database.

SQLite uses its online backup API (a consistent snapshot, page by page, while others write);
PostgreSQL uses pg_dump's custom format and pg_restore, which must be installed (Debian's
postgresql-client). The audit chain is verified after a restore.
"""

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from registry.audit.services import verify_chain
from registry.db import reading_only
from registry.extensions import db


def _url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _libpq(url) -> str:
    """The URL as pg_dump and pg_restore take it (no SQLAlchemy driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise click.ClickException(
            f"{name} is not installed: install PostgreSQL's client tools (Debian: "
            "apt-get install postgresql-client) in the version of the server or newer."
        )
    return path


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise click.ClickException(f"{Path(command[0]).name} failed: {done.stderr.strip()}")


def backup_database(target: Path) -> None:
    url = _url()
    if target.exists():
        raise click.ClickException(f"{target} exists: name a new file, so no backup is lost.")
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
            source.close()
        return
    _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", _libpq(url)])


def _is_empty() -> bool:
    with reading_only():
        tables = inspect(db.engine).get_table_names()
    return not tables


def restore_database(source: Path) -> None:
    url = _url()
    if not source.is_file():
        raise click.ClickException(f"{source} is not a file.")
    if not _is_empty():
        raise click.ClickException(
            "The database already has tables: restore only into an empty database (create a "
            "new one and point REGISTRY_DATABASE_URL at it)."
        )
    db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise click.ClickException(f"{source} is not an intact SQLite backup.")
            target = sqlite3.connect(url.database)
            try:
                with target:
                    backup.backup(target)
            finally:
                target.close()
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(f"{source} is not a SQLite backup: {exc}") from None
        finally:
            backup.close()
        return
    _run(
        [
            _pg_tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            f"--dbname={_libpq(url)}",
            str(source),
        ]
    )


@click.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(output: Path):
    """Write a consistent copy of the whole database to a new file, while the registry runs."""
    backup_database(output)
    click.echo(f"Backed up to {output} ({output.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(source: Path):
    """Restore a backup into an empty database, then verify the audit chain."""
    restore_database(source)
    with reading_only():
        report = verify_chain()
    if not report.ok:
        click.echo(
            f"Restored, but the audit chain FAILED at {report.first_bad_seq}: {report.problem}",
            err=True,
        )
        sys.exit(1)
    click.echo(f"Restored from {source}; {report.checked:,} audit events verified.")
