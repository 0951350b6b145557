"""`registry backup -o FILE` and `registry restore FILE`: a consistent copy of the whole
database, taken while the registry runs, and put back into an empty database.

SQLite uses its online backup API (a consistent snapshot, page by page, while others write);
PostgreSQL uses pg_dump's custom format and pg_restore, which must be installed (Debian's
postgresql-client). A restore is verified in a scratch database (the chain, the records against
their events, any checkpoint) before it touches the target.
"""

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from registry import create_app
from registry.audit.verification import Verification, verify_everything
from registry.db import reading_only
from registry.derived import new_lineage
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
    """A consistent copy of the whole database, readable by its owner alone (0600): it holds
    restricted records and every account."""
    url = _url()
    try:
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        raise click.ClickException(
            f"{target} exists: name a new file, so no backup is lost."
        ) from None
    try:
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(url.database, target)
        else:
            _run(
                [
                    _pg_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    f"--file={target}",
                    _libpq(url),
                ]
            )
        os.chmod(target, 0o600)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def _sqlite_copy(source: str | Path, target: str | Path, *, read_only: bool = False) -> None:
    """SQLite's online backup: a consistent snapshot, page by page, while others write."""
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True) if read_only else None
    origin = origin or sqlite3.connect(source)
    try:
        if read_only and origin.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise click.ClickException(f"{source} is not an intact SQLite backup.")
        destination = sqlite3.connect(target)
        try:
            with destination:
                origin.backup(destination)
        finally:
            destination.close()
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{source} is not a SQLite backup: {exc}") from None
    finally:
        origin.close()


def _is_empty() -> bool:
    with reading_only():
        tables = inspect(db.engine).get_table_names()
    return not tables


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class RestoreRefused(click.ClickException):
    """The backup did not verify in the scratch database: the target was not touched."""


def _load(source: Path, url) -> None:
    if url.get_backend_name() == "sqlite":
        _sqlite_copy(source, url.database, read_only=True)
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


@contextmanager
def _scratch(url):
    """An empty database beside the target, dropped afterwards: a file next to a SQLite
    database, a new database on the same PostgreSQL server (which needs CREATEDB)."""
    suffix = secrets.token_hex(4)
    if url.get_backend_name() == "sqlite":
        path = Path(f"{url.database}.restore-{suffix}")
        try:
            yield url.set(database=str(path))
        finally:
            path.unlink(missing_ok=True)
        return
    name = f"{url.database}_restore_{suffix}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except DBAPIError as exc:
        admin.dispose()
        raise click.ClickException(
            f"A scratch database to verify the backup in cannot be created ({exc.orig}). "
            "Grant CREATEDB to the registry's database user for the restore."
        ) from None
    try:
        yield url.set(database=name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _verify_in(url, checkpoints: list[tuple[str, dict]]) -> Verification:
    """The whole verification, run by an app of its own on the scratch database."""
    config = {
        **current_app.config,
        "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
        "HOUSEKEEPING_THREAD": False,
        "MAIL_BACKGROUND_SENDER": False,
        "JOBS_RUNNER": "inline",
    }
    app = create_app(config)
    try:
        with app.app_context(), reading_only():
            return verify_everything(checkpoints)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def restore_database(source: Path, checkpoints: list[tuple[str, dict]] = ()) -> Verification:
    """Restores a backup into a scratch database, verifies it there (the chain, the records
    against their events, each checkpoint), and only then into the target, which must be
    empty. A backup that fails verification leaves the target untouched."""
    url = _url()
    if not source.is_file():
        raise click.ClickException(f"{source} is not a file.")
    if not _is_empty():
        raise click.ClickException(
            "The database already has tables: restore only into an empty database (create a "
            "new one and point REGISTRY_DATABASE_URL at it)."
        )
    db.engine.dispose()
    digest = _sha256(source)
    with _scratch(url) as scratch:
        _load(source, scratch)
        result = _verify_in(scratch, list(checkpoints))
        if not result.ok:
            raise RestoreRefused(
                "The backup was NOT restored: it fails verification, and the database was left "
                "as it was.\n" + "\n".join(f"FAILED: {problem}" for problem in result.problems)
            )
        if _sha256(source) != digest:
            raise RestoreRefused(f"{source} changed while it was being verified: not restored.")
        if url.get_backend_name() == "sqlite":
            _sqlite_copy(scratch.database, url.database)
        else:
            _load(source, url)
    db.engine.dispose()
    new_lineage()
    db.session.commit()
    return result


@click.command("backup")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def backup_command(output: Path):
    """Write a consistent copy of the whole database to a new file, while the registry runs."""
    backup_database(output)
    click.echo(f"Backed up to {output} ({output.stat().st_size:,} bytes, readable by you alone).")


@click.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--checkpoint",
    "checkpoints",
    multiple=True,
    type=click.File("r"),
    help="A checkpoint file the restored log must extend (may be given more than once).",
)
def restore_command(source: Path, checkpoints):
    """Restore a backup into an empty database, once it verifies in a scratch one."""
    bodies = []
    for handle in checkpoints:
        try:
            bodies.append((handle.name, json.load(handle)))
        except ValueError:
            raise click.ClickException(f"{handle.name} is not a checkpoint file.") from None
    result = restore_database(source, bodies)
    for line in result.confirmed:
        click.echo(f"OK: {line}")
    if not bodies:
        click.echo(
            "No checkpoint was given: a log rewritten and rehashed as a whole cannot be told "
            "from the original without one (--checkpoint FILE).",
            err=True,
        )
    click.echo(f"Restored from {source}.")
