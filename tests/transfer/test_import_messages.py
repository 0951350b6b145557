"""What an import says about cells it cannot take, in the words of the person who filled them."""

import io

import pytest
from openpyxl import Workbook

from registry.transfer.imports import run_import
from registry.transfer.workbooks import read_table


@pytest.fixture
def coordinator(make):
    make.department(code="PW", name="Public Works")
    return make.user("coordinator")


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)  # openpyxl saves formulas without a value, as other programs do
    return out.getvalue()


def test_a_formula_saved_without_its_value_is_named_as_a_formula(coordinator):
    data = workbook(
        [
            ["Dataset Name", "Department", "Update Frequency", "Data Classification"],
            ['=CONCAT("Street ","Trees")', "PW", "Monthly", "public"],
            ["Potholes", "PW", '=IF(TRUE,"Weekly","Daily")', "public"],
        ]
    )
    report = run_import(read_table("city.xlsx", data), actor=coordinator, dry_run=True, digest="f")
    assert [(problem.row, problem.column) for problem in report.problems] == [(2, "Dataset Name")]
    assert report.problems[0].message.startswith(
        'This cell holds a formula (=CONCAT("Street ","Trees")) with no value saved'
    )
    report = run_import(
        read_table(
            "city.xlsx",
            workbook(
                [
                    ["Dataset Name", "Department", "Update Frequency"],
                    ["Potholes", "PW", '=IF(TRUE,"Weekly","Daily")'],
                ]
            ),
        ),
        actor=coordinator,
        dry_run=False,
        digest="g",
    )
    assert report.ok  # a field a draft does not need: kept aside as written, the steward told
    from registry.datasets.models import Dataset
    from registry.extensions import db

    potholes = db.session.get(
        Dataset,
        db.session.scalar(db.select(Dataset.id).where(Dataset.identifier == report.created[0])),
    )
    assert potholes.update_frequency is None
    assert potholes.additional_fields["Update Frequency"] == '=IF(TRUE,"Weekly","Daily")'
    assert any("Update Frequency" in note for note in potholes.attention)
