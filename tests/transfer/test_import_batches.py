"""A large import registers its records a batch at a time, and each record is still whole: its
own row, first version, search document and audit event, in file order, on one chain."""

import csv
import io

import pytest
from sqlalchemy import func, select

from registry.audit.models import AuditEvent
from registry.audit.services import verify_chain
from registry.audit.tags import Tag
from registry.cli_support import CommandLineOperator
from registry.datasets.models import Dataset, DatasetVersion
from registry.datasets.search import find_datasets
from registry.datasets.snapshots import digest
from registry.extensions import db
from registry.transfer.imports import run_import
from registry.transfer.rows import Pending
from registry.transfer.workbooks import read_table

ROWS = Pending.SIZE * 2 + 7  # two whole batches and part of a third


@pytest.fixture
def city(make):
    make.department(code="PW", name="Public Works")
    make.department(code="PARKS", name="Parks and Recreation")
    return make.user("coordinator")


def inventory() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Inventory ID", "Dataset Name", "Department or Division", "cadence"])
    for number in range(ROWS):
        department = "Public Works (PW)" if number % 2 else "Parks and Recreation"
        cadence = "Monthly" if number % 3 else "live service; updated as changes occur"
        writer.writerow([f"INV-{number:05d}", f"Batch row {number}", department, cadence])
    return out.getvalue().encode()


def test_every_record_of_a_batched_import_is_versioned_indexed_and_audited_in_file_order(city):
    heard: list[tuple[int, int]] = []
    report = run_import(
        read_table("inventory.csv", inventory()),
        actor=city,
        dry_run=False,
        digest="batches",
        progress=lambda done, total: heard.append((done, total)),
    )
    db.session.flush()
    assert report.ok and len(report.created) == len(set(report.created)) == ROWS
    assert heard == [(Pending.SIZE, ROWS), (Pending.SIZE * 2, ROWS), (ROWS, ROWS)]

    records = db.session.scalars(select(Dataset).where(Dataset.title.like("Batch row %"))).all()
    by_identifier = {record.identifier: record for record in records}
    assert set(by_identifier) == set(report.created)
    created = select(AuditEvent).where(AuditEvent.tag == str(Tag.DATASET_CREATE))
    events = db.session.scalars(created.order_by(AuditEvent.seq)).all()
    assert [event.subject_id for event in events] == report.created  # file order
    versions = {
        version.dataset_id: version
        for version in db.session.scalars(
            select(DatasetVersion).where(DatasetVersion.dataset_id.in_([r.id for r in records]))
        )
    }
    for event in events:
        record = by_identifier[event.subject_id]
        version = versions[record.id]
        assert version.version == record.version == 1 and version.action == "create"
        assert event.payload["snapshot_sha256"] == digest(version.snapshot)
        assert event.payload["after"]["title"] == record.title
    # Values a draft does not need are kept aside, and the steward told, batch or not.
    live = by_identifier[report.created[0]]
    assert live.additional_fields["cadence"] == "live service; updated as changes occur"
    assert live.update_frequency is None and live.attention
    assert verify_chain().ok
    found = find_datasets(CommandLineOperator(), {"q": "INV-01013"}, facets=())
    assert [item.title for item in found.items] == ["Batch row 1013"]


def test_a_file_naming_one_new_identifier_twice_is_refused_by_row(city):
    rows = "Identifier,Title,Department,Classification\n"
    rows += "pw-abc123,First,PW,public\npw-abc123,Second,PW,public\n"
    before = db.session.scalar(select(func.count()).select_from(Dataset))
    report = run_import(
        read_table("twice.csv", rows.encode()),
        actor=city,
        dry_run=False,
        digest="twice",
        duplicates="create",
    )
    assert [(problem.row, problem.column) for problem in report.problems] == [(3, "Identifier")]
    assert "earlier row" in report.problems[0].message
    assert db.session.scalar(select(func.count()).select_from(Dataset)) == before


def test_a_newer_copy_of_an_inventory_updates_the_records_it_repeats(make):
    from pathlib import Path

    coordinator = make.user("coordinator")
    sample = Path(__file__).parent / "samples" / "sf_dataset_inventory.csv"
    first = run_import(
        read_table(sample.name, sample.read_bytes()),
        actor=coordinator,
        dry_run=False,
        digest="first",
        create_departments=True,
    )
    db.session.flush()
    newer = (
        sample.read_bytes()
        .replace(b"Parking Meter Transactions", b"Parking Meter Payments")  # found by its IDs
        .replace(b"Priority 1", b"Priority 3")
    )
    second = run_import(
        read_table("newer.csv", newer),
        actor=coordinator,
        dry_run=False,
        digest="second",
        duplicates="update",
    )
    assert second.ok, [str(p) for p in second.problems]
    assert second.created == [] and second.skipped == []
    assert len(second.updated) >= 1 and set(second.updated + second.unchanged) == set(first.created)
    meters = db.session.scalar(select(Dataset).where(Dataset.title == "Parking Meter Payments"))
    assert (meters.release_priority, meters.version) == ("low", 2)
    assert meters.identifier in second.updated
    again = run_import(
        read_table("newer.csv", newer),
        actor=coordinator,
        dry_run=False,
        digest="third",
        duplicates="update",
    )
    assert again.updated == [] and len(again.unchanged) == 4  # the same file: nothing changes
