"""Imports: the registry's own workbook back in, a city's own spreadsheet with its own headers,
every problem reported by sheet, row and column with nothing changed, dry runs, and files that
are too big or not what they claim."""

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.datasets.models import Dataset
from registry.extensions import db
from registry.transfer.imports import run_import
from registry.transfer.workbooks import ImportRefused, read_table
from tests import factories


@pytest.fixture
def city(make):
    make.department(code="PW", name="Public Works")
    make.department(code="HD", name="Public Health")
    return {
        "coordinator": make.user("coordinator"),
        "steward": make.user("steward", departments=["PW"], email="ana@city.example"),
    }


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Dataset))


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


CITY_SHEET = [
    [
        "Dataset Name",
        "Agency",
        "Data Steward",
        "Update Frequency",
        "Data Classification",
        "Description",
        "Category",
        "Tags",
        "Internal notes",
    ],
    [
        "Street Trees",
        "Public Works",
        "ana@city.example",
        "Monthly",
        "Level 1",
        "Every street tree.",
        "Environment",
        "trees; canopy",
        "ask Bob",
    ],
    [
        "Clinic Visits",
        "hd",
        "",
        "Annually",
        "Protected",
        "Visits by clinic.",
        "Health",
        "clinics",
        "",
    ],
]


def test_a_citys_own_spreadsheet_is_read_by_its_own_headers(city):
    table = read_table("inventory.csv", csv_bytes(CITY_SHEET))
    report = run_import(table, actor=city["coordinator"], dry_run=False, digest="x")
    trees = db.session.scalar(select(Dataset).where(Dataset.title == "Street Trees"))
    clinics = db.session.scalar(select(Dataset).where(Dataset.title == "Clinic Visits"))
    assert report.ok and len(report.created) == 2 and report.matching.ignored == ["Internal notes"]
    assert (trees.department.code, trees.update_frequency, trees.classification) == (
        "PW",
        "R/P1M",
        "public",
    )
    assert trees.steward.email == "ana@city.example" and trees.keywords == ["trees", "canopy"]
    assert (clinics.department.code, clinics.classification, clinics.update_frequency) == (
        "HD",
        "internal",
        "R/P1Y",
    )


def test_a_sensitive_row_without_its_legal_basis_imports_for_its_steward_to_complete(city):
    rows = [CITY_SHEET[0], ["Clinic Visits", "HD", "", "Annually", "Confidential", "", "", "", ""]]
    report = run_import(
        read_table("x.csv", csv_bytes(rows)), actor=city["coordinator"], dry_run=False, digest="x"
    )
    record = db.session.scalar(select(Dataset).where(Dataset.title == "Clinic Visits"))
    assert (report.ok, record.classification, record.rights.startswith("To confirm")) == (
        True,
        "sensitive",
        True,
    )
    assert any(note.startswith("Legal basis") for note in record.attention)


def test_an_import_is_audited_once_and_each_record_by_its_service(city):
    table = read_table("inventory.csv", csv_bytes(CITY_SHEET))
    run_import(table, actor=city["coordinator"], dry_run=False, digest="abc")
    tags = db.session.scalars(select(AuditEvent.tag)).all()
    assert tags.count(Tag.IMPORT) == 1 and tags.count(Tag.DATASET_CREATE) == 2


def test_any_invalid_row_changes_nothing_and_every_problem_is_named(city):
    rows = [
        CITY_SHEET[0],
        CITY_SHEET[1],
        ["", "Public Works", "", "Weekly", "Level 1", "No title", "", "", ""],
        ["Parks", "Parks Department", "", "Sometimes", "Level 9", "", "Nonsense", "", ""],
    ]
    before = count()
    report = run_import(
        read_table("x.csv", csv_bytes(rows)), actor=city["coordinator"], dry_run=False, digest="x"
    )
    problems = {(p.row, p.column) for p in report.problems}
    assert count() == before and not report.ok
    assert (3, "Dataset Name") in problems and (4, "Agency") in problems
    assert all(p.sheet == "CSV" for p in report.problems)


def test_row_problems_name_the_files_own_headers(city):
    rows = [CITY_SHEET[0], ["Trees", "PW", "", "Weekly", "Level 9", "", "", "", ""]]
    report = run_import(
        read_table("x.csv", csv_bytes(rows)), actor=city["coordinator"], dry_run=False, digest="x"
    )
    where = [str(p).split(":")[0] for p in report.problems]
    assert where == ["CSV, row 2, column “Data Classification”"]


def test_a_value_a_draft_does_not_need_never_blocks_its_row(city):
    rows = [CITY_SHEET[0], ["Trees", "PW", "", "Sometimes", "Level 1", "", "Nonsense", "", ""]]
    report = run_import(
        read_table("x.csv", csv_bytes(rows)), actor=city["coordinator"], dry_run=False, digest="x"
    )
    record = db.session.scalar(select(Dataset).where(Dataset.title == "Trees"))
    assert (report.ok, record.update_frequency, record.themes) == (True, None, [])
    assert record.additional_fields["Update Frequency"] == "Sometimes"
    assert record.additional_fields["Category"] == "Nonsense"
    assert any(note.startswith("Update Frequency: “Sometimes”") for note in record.attention)


def test_a_dry_run_says_what_would_happen_and_changes_nothing(city):
    before = count()
    report = run_import(
        read_table("x.csv", csv_bytes(CITY_SHEET)),
        actor=city["coordinator"],
        dry_run=True,
        digest="x",
    )
    assert (len(report.created), count()) == (2, before)


def test_a_steward_imports_only_into_their_own_department(client, city):
    with client.session_transaction() as session:
        session["_user_id"] = factories.browser_session(city["steward"])
    response = client.post(
        "/imports",
        data={"department": "HD", "file": (io.BytesIO(csv_bytes(CITY_SHEET)), "x.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403


def test_the_upload_page_previews_then_imports(client, city):
    with client.session_transaction() as session:
        session["_user_id"] = factories.browser_session(city["coordinator"])
    before = count()
    preview = client.post(
        "/imports",
        data={"file": (io.BytesIO(csv_bytes(CITY_SHEET)), "inventory.csv")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and count() == before
    assert "Dataset Name" in html and "Internal notes" in html and "2 new drafts registered" in html
    action = re.search(r"/imports/\d+/confirm", html).group(0)
    done = client.post(action)
    assert done.status_code == 302 and count() == before + 2


def export_then_edit(client, coordinator, change) -> bytes:
    with client.session_transaction() as session:
        session["_user_id"] = factories.browser_session(coordinator)
    book = load_workbook(io.BytesIO(client.get("/exports/inventory.xlsx?scope=full").data))
    sheet = book["Inventory"]
    header = [cell.value for cell in sheet[1]]
    change(sheet, header)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_registrys_own_workbook_updates_records_from_their_version(client, city, make):
    dataset = make.dataset(department="PW", title="Trees")

    def rename(sheet, header):
        sheet.cell(row=2, column=header.index("Title") + 1, value="Street Trees")

    data = export_then_edit(client, city["coordinator"], rename)
    report = run_import(
        read_table("inventory.xlsx", data), actor=city["coordinator"], dry_run=False, digest="x"
    )
    db.session.refresh(dataset)
    assert (report.updated, dataset.title, dataset.version) == (
        [dataset.identifier],
        "Street Trees",
        2,
    )


def test_a_row_edited_from_a_stale_version_changes_nothing(client, city, make):
    from registry.datasets.services import update_dataset

    dataset = make.dataset(department="PW", title="Trees")

    def rename(sheet, header):
        sheet.cell(row=2, column=header.index("Title") + 1, value="Street Trees")

    data = export_then_edit(client, city["coordinator"], rename)
    update_dataset(dataset, {"title": "Someone else's", "version": 1}, actor=city["coordinator"])
    db.session.commit()
    report = run_import(
        read_table("inventory.xlsx", data), actor=city["coordinator"], dry_run=False, digest="x"
    )
    assert not report.ok and dataset.title == "Someone else's"
    assert "Changed by someone else since this row was exported" in str(report.problems[0])
    assert "column “Title”" in str(report.problems[0])


def test_a_row_exported_before_a_colleague_changed_another_field_merges(client, city, make):
    from registry.datasets.services import update_dataset

    dataset = make.dataset(department="PW", title="Trees")

    def rename(sheet, header):
        sheet.cell(row=2, column=header.index("Title") + 1, value="Street Trees")

    data = export_then_edit(client, city["coordinator"], rename)
    update_dataset(dataset, {"spatial": "Ward 4", "version": 1}, actor=city["coordinator"])
    db.session.commit()
    report = run_import(
        read_table("inventory.xlsx", data), actor=city["coordinator"], dry_run=False, digest="x"
    )
    assert (report.ok, dataset.title, dataset.spatial) == (True, "Street Trees", "Ward 4")


@pytest.mark.parametrize(
    ("filename", "data", "says"),
    [
        ("inventory.xlsx", b"PK\x03\x04 not really a zip", "not an XLSX"),
        ("inventory.xlsx", b"plain text", "not an XLSX"),
        ("inventory.csv", b"\xff\xfe\x00\x00binary", "not UTF-8"),
        ("inventory.pdf", b"%PDF", ".xlsx workbook, a .csv file or a data.json"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_clearly(app, filename, data, says):
    with pytest.raises(ImportRefused, match=says):
        read_table(filename, data)


def test_a_damaged_workbook_is_refused_clearly(app):
    book = Workbook()
    book.active.append(["Title"])
    out = io.BytesIO()
    book.save(out)
    damaged = out.getvalue()[:-200]
    with pytest.raises(ImportRefused):
        read_table("inventory.xlsx", damaged)


def test_files_over_the_limits_are_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 1)
    with pytest.raises(ImportRefused, match="up to 1 at a time"):
        read_table("inventory.csv", csv_bytes(CITY_SHEET))
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 10)
    with pytest.raises(ImportRefused, match="MB"):
        read_table("inventory.csv", csv_bytes(CITY_SHEET))


def test_the_cli_imports_and_reports(app, city, tmp_path):
    source = tmp_path / "inventory.csv"
    source.write_bytes(csv_bytes(CITY_SHEET))
    dry = app.test_cli_runner().invoke(args=["import", str(source), "--dry-run"])
    real = app.test_cli_runner().invoke(args=["import", str(source)])
    assert dry.exit_code == 0 and "2 would be created" in dry.output
    assert real.exit_code == 0 and "2 were created" in real.output


def test_the_cli_lists_every_problem_and_exits_1(app, city, tmp_path):
    source = tmp_path / "inventory.csv"
    source.write_bytes(csv_bytes([CITY_SHEET[0], ["", "Nowhere", "", "", "", "", "", "", ""]]))
    result = app.test_cli_runner().invoke(args=["import", str(source)])
    assert (
        result.exit_code == 1
        and "row 2" in result.output
        and "nothing was imported" in result.output
    )


@pytest.mark.parametrize(("megabytes", "status"), [(1, 422), (3, 302), (101, 413)])
def test_the_web_import_takes_files_up_to_the_readmes_limit(client, city, megabytes, status):
    """100 MB: a 1 MB file is read in the request (its over-long cell refused by row), a 3 MB
    one in the background (the answer is its job's page), a 101 MB one not at all."""
    with client.session_transaction() as session:
        session["_user_id"] = factories.browser_session(city["coordinator"])
    padding = "x" * (megabytes * 1024 * 1024)
    data = f"Title,Description\nStreet trees,{padding}\n".encode()
    response = client.post(
        "/imports",
        data={"file": (io.BytesIO(data), "inventory.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == status
    if status == 302:
        assert re.search(r"/imports/jobs/\d+$", response.headers["Location"])


def test_a_workbook_past_the_row_limit_is_refused_while_it_is_read(app, client, city):
    from tests.functional.test_many_writers import hostile_workbook

    app.config["IMPORT_MAX_ROWS"] = 50
    try:
        with pytest.raises(ImportRefused, match="more than 50 rows"):
            read_table("inventory.xlsx", hostile_workbook(5_000))
    finally:
        app.config["IMPORT_MAX_ROWS"] = 20_000


def test_a_title_that_starts_with_an_apostrophe_survives_a_csv_round_trip(client, city, make):
    titles = ["'=1 street trees", "'+ canopy cover", "''quoted'' names"]
    for title in titles:
        make.dataset(department="PW", title=title)
    with client.session_transaction() as session:
        session["_user_id"] = factories.browser_session(city["coordinator"])
    exported = client.get("/exports/inventory.csv?scope=full").data

    report = run_import(
        read_table("inventory.csv", exported), actor=city["coordinator"], dry_run=True, digest="x"
    )

    assert (report.ok, len(report.unchanged), report.updated) == (True, 3, [])
