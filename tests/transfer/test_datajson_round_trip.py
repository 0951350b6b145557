"""A registry's data.json, imported as published into a registry with the same departments and
no datasets, exports again as the same catalog (on databases of their own: both commit)."""

import json

import pytest

from registry.accounts.services import create_department
from registry.cli_support import CommandLineOperator
from registry.datasets.queries import Scope
from registry.extensions import db
from registry.transfer.exports import ExportRequest, produce
from registry.transfer.imports import run_import
from registry.transfer.workbooks import read_table
from tests import factories

pytestmark = pytest.mark.own_database

DEPARTMENTS = (("PW", "Public Works"), ("HD", "Public Health"))
COMPARED = (
    "title",
    "description",
    "keyword",
    "accessLevel",
    "landingPage",
    "distribution",
    "publisher",
    "contactPoint",
    "issued",
    "theme",
    "accrualPeriodicity",
    "license",
    "spatial",
)


def catalog() -> bytes:
    return produce(ExportRequest("datajson", Scope.PUBLIC), CommandLineOperator()).file.read()


def entries(data: bytes) -> dict:
    return {
        entry["identifier"]: {field: entry.get(field) for field in COMPARED}
        for entry in json.loads(data)["dataset"]
    }


def test_a_catalog_round_trips_through_data_json(scratch_app):
    source = scratch_app()
    with source.app_context():
        for code, name in DEPARTMENTS:
            factories.department(code=code, name=name)
        for number in range(6):
            factories.published(
                "PW" if number % 2 else "HD",
                title=f"Released dataset {number}",
                spatial="Citywide",
                license="https://creativecommons.org/publicdomain/zero/1.0/",
            )
        data = catalog()
    target = scratch_app()
    with target.app_context():
        for code, name in DEPARTMENTS:
            create_department({"code": code, "name": name}, actor=None)
        report = run_import(
            read_table("data.json", data),
            actor=CommandLineOperator(),
            dry_run=False,
            digest="round trip",
            as_published=True,
        )
        db.session.commit()
        again = catalog()
    assert report.ok, [str(problem) for problem in report.problems[:5]]
    assert (len(entries(data)), entries(again)) == (6, entries(data))
