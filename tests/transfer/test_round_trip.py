"""Export the demo city's full inventory, import it into a registry with the same people,
departments and city priorities but no datasets, export again: every row reads the same, in
every column the importer takes (the workflow's own columns, status, dates and versions, start
over as drafts)."""

import io

import pytest
from openpyxl import load_workbook

from registry.cli_support import CommandLineOperator
from registry.datasets.queries import Scope
from registry.demo.city import load_demo_city
from registry.demo.program import create_city_priorities
from registry.extensions import db
from registry.transfer.columns import COLUMNS
from registry.transfer.exports import ExportRequest, produce
from registry.transfer.imports import run_import
from registry.transfer.workbooks import read_table

pytestmark = pytest.mark.own_database

COMPARED = [column.header for column in COLUMNS if column.importable and column.field != "version"]


def inventory_rows(data: bytes) -> dict[str, dict]:
    sheet = load_workbook(io.BytesIO(data), read_only=True)["Inventory"]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    return {row[0]: {name: row[header.index(name)] for name in COMPARED} for row in rows[1:]}


def full_export(app) -> bytes:
    with app.app_context():
        produced = produce(ExportRequest("xlsx", Scope.FULL), CommandLineOperator())
        return produced.file.read()


def test_the_demo_city_survives_a_round_trip(demo_app, scratch_app):
    first = full_export(demo_app)
    empty = scratch_app()
    with empty.app_context():
        load_demo_city()
        create_city_priorities()
        db.session.commit()
        report = run_import(
            read_table("inventory.xlsx", first),
            actor=CommandLineOperator(),
            dry_run=False,
            digest="round trip",
        )
        db.session.commit()
    second = full_export(empty)
    before, after = inventory_rows(first), inventory_rows(second)
    assert report.ok, [str(problem) for problem in report.problems[:5]]
    assert len(report.created) == len(before) >= 200
    assert after == before
