"""`registry export xlsx|csv|datajson ...` and `registry import FILE ...`: the same exports and
imports as the pages, from the server's command line, audited alike."""

import hashlib
import shutil
import sys
from pathlib import Path

import click
from flask import current_app
from marshmallow import ValidationError
from redis import Redis
from rq import Queue, SimpleWorker

from registry.audit.services import record_event
from registry.audit.tags import Tag
from registry.background import RQRunner
from registry.cli_support import CommandLineOperator, fail
from registry.datasets.queries import check_scope
from registry.db import reading_only
from registry.errors import DomainError
from registry.extensions import db
from registry.transfer.duplicates import Duplicates
from registry.transfer.exports import ExportRequest, produce, rows_expected
from registry.transfer.imports import run_import
from registry.transfer.mapping import read_choices
from registry.transfer.progress import Progress
from registry.transfer.schemas import ExportQuery
from registry.transfer.workbooks import read_table


@click.command("export")
@click.argument("format", type=click.Choice(["xlsx", "csv", "datajson", "dcat3"]))
@click.option("--scope", default="public", help="public, approved, inventory or full.")
@click.option("--as-of", "as_of", default=None, help="A date (YYYY-MM-DD): as the day ended.")
@click.option("--department", default=None, help="One department's code.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_command(format, scope, as_of, department, output):
    """Export the inventory to a file; prints its SHA-256, which the audit log keeps."""
    try:
        query = ExportQuery().load({"scope": scope, "as_of": as_of, "department": department})
    except ValidationError as exc:
        fail(exc)
    operator = CommandLineOperator()
    request = ExportRequest(format, query["scope"], query["department"], query["as_of"])
    progress = Progress(f"Exporting {output.name}")
    try:
        with reading_only():
            check_scope(request.scope, operator)
            expected = rows_expected(request, operator)
            produced = produce(
                request, operator, progress=lambda done: progress(done, max(done, expected))
            )
    except (DomainError, ValueError) as exc:
        fail(exc if isinstance(exc, DomainError) else DomainError(str(exc)))
    finally:
        progress.finish()
    with output.open("wb") as handle:
        shutil.copyfileobj(produced.file, handle)
    record_event(Tag.EXPORT, actor=operator, details=produced.audit_details(operator))
    db.session.commit()
    click.echo(f"{produced.rows:,} datasets written to {output}")
    click.echo(f"SHA-256 {produced.sha256}")


@click.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--department", default=None, help="Put every row in this department (its code).")
@click.option("--dry-run", is_flag=True, help="Check the file and say what it would do.")
@click.option(
    "--create-departments",
    is_flag=True,
    help="Add the departments the file names that the registry lacks (each listed once).",
)
@click.option(
    "--duplicates",
    type=click.Choice([str(choice) for choice in Duplicates]),
    default=str(Duplicates.SKIP),
    show_default=True,
    help="A row repeating a registered record (same identifier elsewhere, or department and "
    "title): skip it, update the record with the row's values, or create it anyway.",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    help='How to read a column: "Source header=field" (a field\'s name or header, "keep" as '
    'an additional field, or "ignore"); may be given more than once.',
)
@click.option(
    "--map-file",
    type=click.File("r", encoding="utf-8"),
    help="The same choices, one “Source header=field” a line (the import page offers its own).",
)
@click.option(
    "--as-published",
    is_flag=True,
    help="Record rows their source marks as published (every entry of a data.json) as released "
    "before the registry, if their level allows; they skip the committee.",
)
@click.option(
    "--create-themes",
    is_flag=True,
    help="Add the themes the file names that the city lacks to its list (each listed once).",
)
@click.option(
    "--classification",
    "unclassified",
    type=click.Choice(["public", "internal", "sensitive", "restricted"]),
    default=None,
    help="The level for every row without one (recorded in the import's audit event); "
    "otherwise such rows are restricted until a steward confirms a level.",
)
def import_command(
    source,
    department,
    dry_run,
    create_departments,
    duplicates,
    maps,
    map_file,
    as_published,
    create_themes,
    unclassified,
):
    """Import an inventory (XLSX, CSV or a data.json catalog); nothing changes if any row is
    invalid."""
    data = source.read_bytes()
    try:
        choices = read_choices([*(map_file or []), *maps])
    except ValueError as exc:
        fail(DomainError(f"--map: {exc}"))
    progress = Progress(f"Importing {source.name}")
    try:
        table = read_table(source.name, data, command_line=True)
        report = run_import(
            table,
            actor=CommandLineOperator(),
            department=department.upper() if department else None,
            dry_run=dry_run,
            digest=hashlib.sha256(data).hexdigest(),
            create_departments=create_departments,
            duplicates=Duplicates(duplicates),
            choices=choices,
            as_published=as_published,
            create_themes=create_themes,
            unclassified=unclassified,
            progress=progress,
        )
    except DomainError as exc:
        fail(exc)
    finally:
        progress.finish()
    _say_what_was_read(report, dry_run=dry_run, unclassified=unclassified)
    if not report.ok:
        db.session.rollback()
        for problem in report.problems:
            click.echo(f"Error: {problem}", err=True)
        click.echo(f"{len(report.problems)} problems; nothing was imported.", err=True)
        sys.exit(1)
    verb = "would be" if dry_run else "were"
    click.echo(
        f"{report.rows} rows: {len(report.created)} {verb} created, {len(report.updated)} "
        f"{verb} updated, {len(report.unchanged)} unchanged, {len(report.skipped)} skipped as "
        "already registered."
    )
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()


def _say_how_columns_were_read(matching) -> None:
    matched = ", ".join(
        f"{matching.headers[position]} → {field}"
        for position, field in sorted(matching.fields.items())
    )
    click.echo(f"Columns read: {matched}")
    if matching.ignored:
        click.echo(
            f"Columns kept with each record as additional fields: {', '.join(matching.ignored)}"
        )
    if matching.dropped:
        dropped = ", ".join(matching.headers[p] for p in sorted(matching.dropped))
        click.echo(f"Columns ignored, as asked: {dropped}")


def _say_what_was_read(report, *, dry_run: bool, unclassified: str | None) -> None:
    """How each column was read, and what the import did or would do besides the records."""
    _say_how_columns_were_read(report.matching)
    for identifier in report.released:
        verb = "would be recorded" if dry_run else "recorded"
        click.echo(f"{identifier}: {verb} as released before the registry")
    for number, why in report.not_released:
        click.echo(f"Row {number}: {why}")
    for number, identifier in report.skipped:
        click.echo(f"Row {number}: already registered as {identifier}; skipped")
    for named, code in report.departments_created.items():
        verb = "would be added" if dry_run else "added"
        click.echo(f"Department {named}: {verb} as {code}")
    for name in report.themes_created:
        click.echo(f"Theme {name}: {'would be added' if dry_run else 'added'}")
    for name, numbers in report.themes_missing.items():
        click.echo(
            f"Theme {name} (rows {', '.join(map(str, numbers[:5]))}"
            f"{' and more' if len(numbers) > 5 else ''}): the city lacks it; kept with each "
            "record as written. Give --create-themes to add it."
        )
    if report.classified:
        click.echo(f"{report.classified} rows without a classification: {unclassified}")


@click.command("worker")
def worker_command():
    """Run background exports queued in Redis (RQ), for a registry whose JOBS_REDIS_URL is set;
    run as many as the machine can spare, on any host that shares EXPORT_JOBS_DIR."""
    url = current_app.config.get("JOBS_REDIS_URL")
    if not url:
        fail(DomainError("Set REGISTRY_JOBS_REDIS_URL: without it, jobs run in the app itself."))
    connection = Redis.from_url(url)
    queue = Queue(RQRunner.QUEUE, connection=connection)
    click.echo(f"Running background jobs (exports, verifications) from {RQRunner.QUEUE} on {url}")
    SimpleWorker([queue], connection=connection).work(with_scheduler=False)
