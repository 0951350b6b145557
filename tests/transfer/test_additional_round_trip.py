"""A city's own columns go back out: the XLSX and CSV exports write each record's additional
fields under the headers of the file they came from, after the registry's columns, for staff
only; imported again, the file changes nothing, and an edited cell of such a column is kept."""

import csv
import io
import json
from pathlib import Path

import pytest
from flask_login import AnonymousUserMixin
from openpyxl import load_workbook
from sqlalchemy import select

from registry.datasets.models import Dataset
from registry.datasets.queries import Scope
from registry.extensions import db
from registry.transfer.columns import HEADERS
from registry.transfer.exports import ExportRequest, produce
from registry.transfer.imports import run_import
from registry.transfer.workbooks import read_table

SAMPLE = Path(__file__).parent / "samples" / "sf_dataset_inventory.csv"
CITY_COLUMNS = ["Dataset ID", "Inventory ID", "Publishing Status", "Status Notes", "Value"]


@pytest.fixture
def coordinator(make):
    coordinator = make.user("coordinator")
    report = run_import(
        read_table(SAMPLE.name, SAMPLE.read_bytes()),
        actor=coordinator,
        dry_run=False,
        digest="sf",
        create_departments=True,
    )
    assert report.ok, [str(problem) for problem in report.problems]
    db.session.flush()
    return coordinator


def exported(fmt: str, reader, scope=Scope.FULL) -> bytes:
    return produce(ExportRequest(fmt, scope), reader).file.read()


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def meters() -> Dataset:
    return db.session.scalar(select(Dataset).where(Dataset.title == "Parking Meter Transactions"))


def test_the_csv_writes_each_citys_column_back_under_its_own_header(coordinator):
    data = exported("csv", coordinator)
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header[: len(HEADERS)] == HEADERS
    assert set(CITY_COLUMNS) <= set(header[len(HEADERS) :])
    row = next(r for r in csv_rows(data) if r["Title"] == "Parking Meter Transactions")
    assert (row["Inventory ID"], row["Dataset ID"], row["Publishing Status"]) == (
        "INV-0001",
        "88g8-5mnd",
        "Published",
    )
    assert {name: row[name] for name in header[len(HEADERS) :] if row[name]} == (
        meters().additional_fields
    )


def test_the_workbook_writes_them_too_and_never_as_a_formula(coordinator):
    record = meters()
    record.additional_fields = {**record.additional_fields, "Lag": "=1+1"}
    db.session.flush()
    book = load_workbook(io.BytesIO(exported("xlsx", coordinator)))
    sheet = book["Inventory"]
    header = [cell.value for cell in sheet[1]]
    assert set(CITY_COLUMNS) <= set(header[len(HEADERS) :])
    row = next(r for r in sheet.iter_rows(min_row=2) if r[1].value == record.title)
    lag = row[header.index("Lag")]
    assert (lag.value, lag.data_type) == ("=1+1", "s")
    assert row[header.index("Inventory ID")].value == "INV-0001"
    explained = {r[0].value: r[2].value for r in book["Fields"].iter_rows(min_row=2)}
    assert "own inventory" in explained["Inventory ID"]


def test_the_public_export_has_no_city_columns(coordinator):
    data = exported("csv", AnonymousUserMixin(), scope=Scope.PUBLIC)
    header = next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert header == HEADERS


def test_the_export_imported_again_changes_nothing_and_an_edited_city_cell_is_kept(coordinator):
    data = exported("csv", coordinator)
    again = run_import(read_table("again.csv", data), actor=coordinator, dry_run=False, digest="a")
    assert again.ok and again.created == again.updated == [] and len(again.unchanged) == 4
    rows = csv_rows(data)
    edited = next(r for r in rows if r["Title"] == "Parking Meter Transactions")
    edited["Status Notes"] = "Moved to the new portal"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    changed = run_import(
        read_table("edited.csv", out.getvalue().encode()),
        actor=coordinator,
        dry_run=False,
        digest="b",
    )
    assert changed.ok and changed.updated == [meters().identifier]
    assert meters().additional_fields["Status Notes"] == "Moved to the new portal"
    assert meters().additional_fields["Inventory ID"] == "INV-0001"


PORTAL = Path(__file__).parent / "samples" / "portal_data.json"
CITATIONS = "https://data.cityofexample.gov/api/views/88g8-5mnd"


def test_a_portals_records_keep_the_portals_identifiers_in_data_json(client, make):
    from registry.cli_support import CommandLineOperator

    coordinator = make.user("coordinator")
    report = run_import(
        read_table(PORTAL.name, PORTAL.read_bytes()),
        actor=coordinator,
        dry_run=False,
        digest="portal",
        create_departments=True,
        as_published=True,
    )
    assert report.ok and len(report.released) == 2
    db.session.flush()
    catalog = json.loads(exported("datajson", CommandLineOperator(), scope=Scope.PUBLIC))
    identifiers = sorted(entry["identifier"] for entry in catalog["dataset"])
    assert identifiers == ["aa1b-2cc3", CITATIONS]  # the payroll record is restricted
    found = client.get("/api/v1/datasets", query_string={"external_id": CITATIONS.upper()})
    assert [item["title"] for item in found.json["items"]] == ["Parking Citations"]

    again = run_import(
        read_table(PORTAL.name, PORTAL.read_bytes()),
        actor=coordinator,
        dry_run=False,
        digest="portal again",
        duplicates="create",
    )
    assert again.ok and len(again.created) == 1 and len(again.skipped) == 2  # own-form ids
    db.session.flush()
    copy = db.session.scalar(
        select(Dataset).where(
            Dataset.title == "Parking Citations", Dataset.identifier.in_(again.created)
        )
    )
    assert copy.additional_fields["Portal identifier (repeated)"] == CITATIONS
    assert "Portal identifier" not in copy.additional_fields


def test_the_api_finds_a_record_by_an_identifier_it_has_elsewhere(client, make, coordinator):
    token = make.token(coordinator).secret
    signed = {"Authorization": f"Bearer {token}"}

    def titles(identifier, headers=None):
        answer = client.get(
            "/api/v1/datasets", query_string={"external_id": identifier}, headers=headers or {}
        )
        assert answer.status_code == 200, answer.text
        return [item["title"] for item in answer.json["items"]]

    assert titles("inv-0001", signed) == ["Parking Meter Transactions"]
    assert titles("88G8-5MND", signed) == ["Parking Meter Transactions"]
    assert titles("Published", signed) == []  # a value, not an identifier
    assert titles("INV-0001") == []  # the public never reads a record's own columns


def test_every_export_says_the_same_last_modified_date(make):
    from registry.cli_support import CommandLineOperator

    coordinator = make.user("coordinator")
    run_import(
        read_table(PORTAL.name, PORTAL.read_bytes()),
        actor=coordinator,
        dry_run=False,
        digest="portal",
        create_departments=True,
        as_published=True,
    )
    db.session.flush()
    force = db.session.scalar(select(Dataset).where(Dataset.title.like("Police Use of Force%")))
    assert force.modified is None  # the portal said "R/P1M", kept aside
    reader = CommandLineOperator()
    catalog = json.loads(exported("datajson", reader, scope=Scope.PUBLIC))
    said = {entry["title"]: entry["modified"] for entry in catalog["dataset"]}
    rows = {r["Title"]: r["Last modified"] for r in csv_rows(exported("csv", reader))}
    sheet = load_workbook(io.BytesIO(exported("xlsx", reader)))["Inventory"]
    column = [cell.value for cell in sheet[1]].index("Last modified")
    cells = {
        r[1]: r[column].date().isoformat() for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    for title, day in (
        ("Parking Citations", "2024-06-13"),  # the date the record gives
        (force.title, force.updated_at.date().isoformat()),  # none given: its own last change
    ):
        assert said[title] == rows[title] == cells[title] == day
