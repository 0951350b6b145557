"""Exports: scopes checked on the server, the workbook's three sheets, CSV for Excel, cells that
never start a formula, an audit event with the file's digest, and as-of dates in the city's
time zone."""

import csv
import hashlib
import io
import shutil
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.db import utcnow
from registry.extensions import db
from registry.transfer.columns import HEADERS
from tests import factories

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]


@pytest.fixture
def city(make):
    make.department(code="PW", name="Public Works")
    make.department(code="HD", name="Public Health")
    coordinator = make.user("coordinator")
    make.dataset(
        department="PW",
        title=HOSTILE[0],
        keywords=["=cmd|' /C calc'!A0", "-trees"],
        description="@evil\nsecond line",
        record_count=41000,
        issued="2024-03-01",
    )
    make.dataset(department="HD", classification="restricted", title="Informants")
    return coordinator


def signed_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = factories.browser_session(user)
    return client


def test_a_forbidden_scope_is_a_403_not_a_smaller_file(client, make, city):
    client = signed_in(client, make.user("stakeholder"))
    assert client.get("/exports/inventory.csv?scope=full").status_code == 403


def test_restricted_records_appear_only_in_full(client, make, city):
    stakeholder = signed_in(client, make.user("stakeholder")).get(
        "/exports/inventory.csv?scope=inventory"
    )
    full = signed_in(client, city).get("/exports/inventory.csv?scope=full")
    assert "Informants" not in stakeholder.get_data(as_text=True)
    assert "Informants" in full.get_data(as_text=True)


def test_the_workbook_has_its_three_sheets_and_real_types(client, city):
    response = signed_in(client, city).get("/exports/inventory.xlsx?scope=full")
    book = load_workbook(io.BytesIO(response.data))
    inventory = book["Inventory"]
    header = [cell.value for cell in inventory[1]]
    rows = [{header[i]: cell for i, cell in enumerate(cells)} for cells in inventory.iter_rows(2)]
    (row,) = [row for row in rows if row["Department"].value == "PW"]
    assert book.sheetnames == ["Inventory", "Fields", "Summary"]
    assert header == HEADERS and inventory.freeze_panes == "A2" and inventory.auto_filter.ref
    assert row["Approximate records"].value == 41000 and row["Issued"].is_date
    summary = {r[0].value: r[1].value for r in book["Summary"].iter_rows() if r[0].value}
    assert summary["Rows"] == 2 and "full" in summary["Scope"]
    assert summary["Public Works"] == 1 and summary["Public Health"] == 1


def test_no_workbook_cell_is_a_formula(client, city):
    response = signed_in(client, city).get("/exports/inventory.xlsx?scope=full")
    cells = [
        c for row in load_workbook(io.BytesIO(response.data))["Inventory"].iter_rows() for c in row
    ]
    assert all(cell.data_type != "f" for cell in cells)
    titles = [cell.value for cell in cells if cell.value == HOSTILE[0]]
    assert titles == [HOSTILE[0]]  # kept exactly, as text


def test_the_csv_is_utf8_with_a_bom_and_neutralises_formulas(client, city):
    response = signed_in(client, city).get("/exports/inventory.csv?scope=full")
    raw = response.data
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    by_title = {row[1]: row for row in rows[1:]}
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert rows[0] == HEADERS
    assert "'" + HOSTILE[0] in by_title and by_title["'" + HOSTILE[0]][3] == "PW"
    row = by_title["'" + HOSTILE[0]]
    assert row[HEADERS.index("Description")] == "'@evil\nsecond line"
    assert row[HEADERS.index("Approximate records")] == "41000"


@pytest.mark.parametrize("value", HOSTILE)
def test_every_formula_trigger_is_neutralised(value):
    from registry.cells import for_csv, from_csv

    assert for_csv(value).startswith("'") and from_csv(for_csv(value)) == value


def test_every_export_is_audited_with_its_digest(client, city):
    response = signed_in(client, city).get("/exports/inventory.csv?scope=full&department=pw")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == Tag.EXPORT))
    digest = hashlib.sha256(response.data).hexdigest()
    assert response.headers["X-Content-SHA256"] == digest
    assert (event.payload["sha256"], event.payload["scope"], event.payload["department"]) == (
        digest,
        "full",
        "PW",
    )
    assert event.payload["rows"] == 1 and event.actor_id == city.id


def test_an_invalid_export_request_says_what_is_wrong(client, city):
    response = client.get("/exports/inventory.csv?scope=everything&as_of=yesterday")
    assert response.status_code == 422


def test_as_of_is_the_end_of_that_day_in_the_city(app, monkeypatch):
    from registry.transfer.exports import end_of_day

    monkeypatch.setitem(app.config, "TIMEZONE", "America/Chicago")
    moment = end_of_day(date(2025, 6, 30))
    assert moment.isoformat(timespec="seconds") == "2025-07-01T04:59:59+00:00"


def test_the_cli_writes_the_same_export_and_prints_its_digest(app, city, tmp_path):
    target = tmp_path / "inventory.xlsx"
    result = app.test_cli_runner().invoke(
        args=["export", "xlsx", "--scope", "full", "-o", str(target)]
    )
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    assert result.exit_code == 0, result.output
    assert f"SHA-256 {digest}" in result.output


def test_the_cli_refuses_a_bad_scope_clearly(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["export", "csv", "--scope", "secret", "-o", str(tmp_path / "x.csv")]
    )
    assert result.exit_code == 1 and "--scope:" in result.output


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook_without_a_repair(client, city, tmp_path):
    response = signed_in(client, city).get("/exports/inventory.xlsx?scope=full")
    source = tmp_path / "inventory.xlsx"
    source.write_bytes(response.data)
    done = subprocess.run(  # noqa: S603 - LibreOffice converting our own file
        [
            shutil.which("soffice"),
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    converted = (tmp_path / "inventory.csv").read_text(encoding="utf-8", errors="replace")
    assert done.returncode == 0, done.stderr
    assert "HYPERLINK" in converted and "Informants" in converted


def test_exports_read_as_of_a_date(client, city, make):
    past = date(2020, 1, 1)
    response = signed_in(client, city).get(f"/exports/inventory.csv?scope=full&as_of={past}")
    assert response.get_data(as_text=True).count("\r\n") == 1  # the header alone
    assert utcnow().year > past.year


def test_an_auditors_script_exports_with_a_token(client, make):
    import hashlib

    from sqlalchemy import select

    from registry.audit.models import AuditEvent
    from registry.audit.tags import Tag
    from registry.extensions import db

    make.dataset(classification="restricted", rights="Code 2.14")
    token = make.token(make.user("auditor"))
    response = client.get(
        "/api/v1/exports/inventory.csv?scope=full",
        headers={"Authorization": f"Bearer {token.secret}"},
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == Tag.EXPORT))
    sha = hashlib.sha256(response.data).hexdigest()
    assert (response.status_code, response.headers["X-Content-SHA256"]) == (200, sha)
    assert (event.payload["scope"], event.payload["sha256"]) == ("full", sha)


def test_a_token_never_widens_a_scope(client, make):
    token = make.token(make.user("stakeholder"))
    response = client.get(
        "/api/v1/exports/inventory.xlsx?scope=full",
        headers={"Authorization": f"Bearer {token.secret}"},
    )
    assert response.status_code == 403


def test_a_harvester_reads_the_catalog_as_of_a_day_through_the_api(client):
    response = client.get("/api/v1/exports/data.json?as_of=2026-01-31")
    bad = client.get("/api/v1/exports/data.json?as_of=yesterday")
    assert (response.status_code, "dataset" in response.get_json(), bad.status_code) == (
        200,
        True,
        422,
    )
