"""Kept export rows: a file is byte for byte the same whether its rows were kept or rendered as
it was written, a kept row is used only while it is of the record's version and the city's
naming of departments and priorities, and what depends on the reader is never kept."""

import csv
import io

import pytest
from flask_login import AnonymousUserMixin
from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from registry.accounts.models import Department, User
from registry.accounts.services import update_department
from registry.cli_support import CommandLineOperator
from registry.datasets.models import Dataset
from registry.datasets.queries import Scope
from registry.datasets.services import update_dataset
from registry.extensions import db
from registry.housekeeping import TASKS
from registry.priorities.program import save_city_priority
from registry.transfer.exports import ExportRequest, produce
from registry.transfer.models import ExportRow
from registry.transfer.rendered import keep_stale, refresh_export_rows


@pytest.fixture
def city(make):
    make.department(code="PW", name="Public Works")
    make.department(code="HD", name="Public Health")
    priority = make.city_priority("Safe streets")
    make.user("steward", departments=["PW"], email="pw.steward@city.example")
    make.published(
        "PW",
        steward="pw.steward@city.example",
        title="=Street trees",
        keywords=["-trees", "canopy"],
        temporal="2020-01-01/..",
        city_priorities=["Safe streets"],
        distributions=[
            {"title": "CSV", "download_url": "https://x.example/t.csv", "media_type": "text/csv"}
        ],
    )
    make.published("HD", title="Clinic hours, weekly", temporal="2021-01-01/2021-12-31")
    make.dataset(department="HD", classification="restricted", title="Informants")
    make.dataset(department="PW", title='Potholes "reported"', description="line one\nline two")
    return priority


def pw_steward():
    return db.session.scalar(select(User).where(User.email == "pw.steward@city.example"))


def kept() -> int:
    return db.session.scalar(select(func.count()).select_from(ExportRow))


def file_of(fmt: str, scope: Scope, reader=None) -> bytes:
    export = produce(ExportRequest(fmt, scope), reader or CommandLineOperator())
    return export.file.read()


def inventory_cells(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data))["Inventory"]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_a_file_is_the_same_whether_its_rows_were_kept_or_rendered(city, make):
    reader = pw_steward()
    rendered = {
        (fmt, scope): file_of(fmt, scope, reader if scope != Scope.FULL else None)
        for fmt, scope in (
            ("csv", Scope.FULL),
            ("csv", Scope.INVENTORY),
            ("datajson", Scope.PUBLIC),
        )
    }
    workbook = inventory_cells(file_of("xlsx", Scope.FULL))
    assert kept() == 0
    assert keep_stale() == 4
    db.session.commit()
    assert kept() == 4 and keep_stale() == 0
    for (fmt, scope), data in rendered.items():
        assert file_of(fmt, scope, reader if scope != Scope.FULL else None) == data
    assert inventory_cells(file_of("xlsx", Scope.FULL)) == workbook


def test_what_depends_on_the_reader_is_filled_in_for_each_reader(city, make):
    keep_stale()
    db.session.commit()
    steward = pw_steward()
    stakeholder = make.user("stakeholder")
    for reader in (steward, stakeholder):
        data = file_of("csv", Scope.INVENTORY, reader).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(data)))
        by_title = {row["Title"]: row for row in rows}
        assert "Informants" not in by_title  # the scope is applied to the records themselves
        trees = by_title["'=Street trees"]
        clinic = by_title["Clinic hours, weekly"]
        # a steward sees every step of their own department's records, and no one else's
        assert (trees["Version"] == str(version_of("'=Street trees"[1:]))) == (reader is steward)
        assert clinic["Version"] == ""
        assert trees["Steward"] == "pw.steward@city.example"
        assert clinic["Steward"] == steward_email("Clinic hours, weekly")
    anonymous = csv.DictReader(
        io.StringIO(file_of("csv", Scope.PUBLIC, AnonymousUserMixin()).decode("utf-8-sig"))
    )
    assert {row["Steward"] for row in anonymous} == {""}  # staff emails only for people signed in


def steward_email(title: str) -> str:
    record = db.session.scalar(select(Dataset).where(Dataset.title == title))
    return record.steward.email if record.steward else ""


def version_of(title: str) -> int:
    return db.session.scalar(select(Dataset.version).where(Dataset.title == title))


def test_an_edit_is_exported_though_an_older_rendering_is_kept(city, make):
    keep_stale()
    db.session.commit()
    record = db.session.scalar(select(ExportRow.dataset_id).order_by(ExportRow.dataset_id).limit(1))
    dataset = db.session.get(Dataset, record)
    edit = {"description": "Now with species.", "version": dataset.version}
    update_dataset(dataset, edit, actor=make.user("coordinator"))
    db.session.commit()
    assert "Now with species." in file_of("csv", Scope.FULL).decode("utf-8-sig")
    assert keep_stale() == 1


def test_renaming_a_department_or_a_priority_makes_every_kept_row_stale(city, make):
    keep_stale()
    db.session.commit()
    coordinator = make.user("coordinator")
    works = db.session.scalar(select(Department).where(Department.code == "PW"))
    update_department(works, {"name": "Streets and Parks"}, actor=coordinator)
    db.session.commit()
    assert "Streets and Parks" in file_of("datajson", Scope.PUBLIC).decode()
    assert keep_stale() == 4
    db.session.commit()
    save_city_priority({"name": "Safer streets"}, actor=coordinator, priority=city)
    db.session.commit()
    assert "Safer streets" in file_of("csv", Scope.FULL).decode("utf-8-sig")
    assert keep_stale() == 4


def test_housekeeping_keeps_the_rows_and_a_stale_row_is_replaced(city):
    assert refresh_export_rows in TASKS
    assert refresh_export_rows() == 4
    db.session.execute(delete(ExportRow).where(ExportRow.dataset_id == min_id()))
    db.session.execute(ExportRow.__table__.update().values(version=0))
    db.session.commit()
    assert refresh_export_rows() == 4 and kept() == 4


def min_id() -> int:
    return db.session.scalar(select(func.min(ExportRow.dataset_id)))
