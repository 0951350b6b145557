"""Real inventories come in as the cities publish them, with nothing edited: sample files in the
public layouts of San Francisco's Dataset Inventory, New York's Open Data Plan, San Diego's
inventory and a civic data catalog (tests/transfer/samples/), with the words cities use."""

from pathlib import Path

import pytest
from sqlalchemy import select

from registry.datasets.models import Dataset
from registry.extensions import db
from registry.transfer.imports import run_import
from registry.transfer.workbooks import read_table

SAMPLES = Path(__file__).parent / "samples"


def load(name: str, actor, **options):
    data = (SAMPLES / name).read_bytes()
    report = run_import(
        read_table(name, data), actor=actor, dry_run=False, digest="sample", **options
    )
    assert report.ok, [str(problem) for problem in report.problems]
    db.session.commit()
    return report


def record(title: str) -> Dataset:
    return db.session.scalar(select(Dataset).where(Dataset.title == title))


@pytest.fixture
def coordinator(make):
    return make.user("coordinator")


def test_san_franciscos_inventory_comes_in_whole(coordinator):
    report = load("sf_dataset_inventory.csv", coordinator, create_departments=True)
    meters = record("Parking Meter Transactions")
    assert (len(report.created), meters.department.code, meters.classification) == (
        4,
        "MTA",
        "public",
    )
    assert (meters.release_priority, str(meters.issued), meters.themes) == (
        "high",
        "2016-01-20",
        ["Transportation"],
    )
    assert meters.landing_page == "https://data.sfgov.example/d/88g8-5mnd"
    assert {
        "Inventory ID": "INV-0001",
        "Dataset ID": "88g8-5mnd",
        "Publishing Status": "Published",
    }.items() <= meters.additional_fields.items()


def test_san_franciscos_words_for_levels_and_priorities(coordinator):
    load("sf_dataset_inventory.csv", coordinator, create_departments=True)
    levels = {
        title: (found.classification, found.release_priority)
        for title in (
            "Restaurant Inspection Scores",
            "Employee Leave Balances",
            "Sexually Transmitted Infection Cases by Neighborhood",
        )
        if (found := record(title))
    }
    assert levels == {
        "Restaurant Inspection Scores": ("internal", "medium"),
        "Employee Leave Balances": ("restricted", "low"),
        "Sexually Transmitted Infection Cases by Neighborhood": ("sensitive", "high"),
    }


def test_a_city_category_the_registry_lacks_is_kept_and_noted(coordinator):
    load("sf_dataset_inventory.csv", coordinator, create_departments=True)
    scores = record("Restaurant Inspection Scores")
    assert scores.additional_fields["Category"] == "Health and Social Services"
    assert any(note.startswith("Category:") for note in scores.attention)


def test_new_yorks_plan_names_agencies_with_their_codes(make, coordinator):
    make.department(code="DOT", name="Department of Transportation")
    report = load("nyc_open_data_plan.csv", coordinator, create_departments=True)
    counts = record("Bicycle Counts")
    trees = record("Tree Census 2025")
    assert (len(report.created), counts.department.code, trees.department.code) == (4, "DOT", "DPR")
    assert sorted(report.departments_created.values()) == ["DPR", "DSNY"]


def test_a_row_without_a_classification_is_restricted_until_confirmed(make, coordinator):
    make.department(code="DOT", name="Department of Transportation")
    load("nyc_open_data_plan.csv", coordinator, create_departments=True)
    counts = record("Bicycle Counts")
    assert (counts.classification, counts.access_level, counts.attention) == (
        "restricted",
        "non-public",
        ["classification"],
    )


def test_san_diegos_inventory_names_datasets_in_its_description(make):
    make.department(code="PW", name="Public Works")
    steward = make.user("steward", departments=["PW"])
    report = load("san_diego_inventory.csv", steward, department="PW")
    streets = record("Streets Repair Projects")
    assert (len(report.created), str(streets.issued), streets.additional_fields["ID"]) == (
        3,
        "2017-06-30",
        "101",
    )
    assert streets.additional_fields["Master_ID"] == "SD-STR-001"
    assert record("Stormwater Outfall Inspections").additional_fields["TargetPublication"] == (
        "2027-03-31"
    )


def test_a_civic_catalog_comes_in_with_its_free_text(coordinator):
    report = load("civic_catalog.csv", coordinator, create_departments=True)
    permits = record("Building Permits")
    ridership = record("Transit Ridership")
    assert (len(report.created), permits.record_count, permits.formats) == (
        3,
        412336,
        ["CSV", "GeoJSON"],
    )
    assert (permits.update_frequency, permits.spatial, str(permits.modified)) == (
        "R/P1D",
        "Citywide",
        "2024-06-13",
    )
    assert ridership.update_frequency is None
    assert ridership.additional_fields["cadence"] == "live service; item last modified 2024-06-13"
    assert permits.additional_fields["granularity"] == "Permit"


def test_departments_a_file_names_are_listed_once_each(coordinator):
    from registry.transfer.imports import run_import as importing

    data = (SAMPLES / "nyc_open_data_plan.csv").read_bytes()
    report = importing(read_table("plan.csv", data), actor=coordinator, dry_run=True, digest="x")
    lines = [problem.message for problem in report.problems]
    assert (
        len(lines) == 3
        and "rows 2, 3" in lines[0]
        and "Department of Transportation (DOT)" in lines[0]
    )


def test_a_steward_may_not_add_departments(make):
    from registry.errors import PermissionDenied

    make.department(code="PW")
    steward = make.user("steward", departments=["PW"])
    data = (SAMPLES / "nyc_open_data_plan.csv").read_bytes()
    with pytest.raises(PermissionDenied):
        run_import(
            read_table("plan.csv", data),
            actor=steward,
            dry_run=True,
            digest="x",
            create_departments=True,
        )


@pytest.fixture
def imported(make, coordinator):
    """New York's plan, imported; its Department of Transportation has a steward."""
    make.department(code="DOT", name="Department of Transportation")
    steward = make.user("steward", departments=["DOT"], name="Ana Ruiz")
    load("nyc_open_data_plan.csv", coordinator, create_departments=True)
    return record("Bicycle Counts"), steward


def test_a_steward_sees_what_an_import_left_first_in_my_work(client, sign_in, imported):
    _, steward = imported
    sign_in(steward)
    html = client.get("/work").get_data(as_text=True)
    assert "To look at first" in html and html.index("To look at first") < html.index(
        "Your department"
    )
    assert "Bicycle Counts" in html


def test_the_record_page_says_what_to_confirm_and_keeps_the_citys_columns(client, sign_in, make):
    coordinator = make.user("coordinator")
    load("sf_dataset_inventory.csv", coordinator, create_departments=True)
    sign_in(coordinator)
    meters = record("Parking Meter Transactions")
    html = client.get(f"/datasets/{meters.identifier}").get_data(as_text=True)
    assert "own inventory" in html
    assert "INV-0001" in html and "88g8-5mnd" in html


def test_choosing_a_level_confirms_the_classification(client, sign_in, imported):
    import re

    counts, steward = imported
    sign_in(steward)
    form_html = client.get(f"/datasets/{counts.identifier}/edit").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', form_html).group(1)
    assert 'value="restricted" checked' not in form_html and "read as Restricted" in form_html
    client.post(
        f"/datasets/{counts.identifier}/edit",
        data={
            "title": "Bicycle Counts",
            "department": "DOT",
            "classification": "public",
            "access_level": "",
            "release_priority": "medium",
            "version": version,
        },
    )
    confirmed = record("Bicycle Counts")
    assert (confirmed.classification, confirmed.attention, confirmed.rights) == (
        "public",
        [],
        None,
    )


def test_visitors_never_see_a_records_own_columns_or_notes(client, make):
    from registry.datasets.visibility import redact

    record_out = {"additional_fields": {"Notes": "internal"}, "attention": ["classification"]}
    shown = redact(
        record_out,
        type(
            "R", (), {"department_id": 1, "classification": "public", "proposed_governance": None}
        )(),
        None,
    )
    assert (shown["additional_fields"], shown["attention"]) == ({}, [])


def test_a_portals_data_json_comes_in_with_its_identifiers_kept(coordinator):
    report = load("portal_data.json", coordinator, create_departments=True)
    citations = record("Parking Citations")
    force = record("Police Use of Force Incidents")
    payroll = record("Payroll Detail")
    assert (len(report.created), citations.department.code, citations.classification) == (
        3,
        "DOT",
        "public",
    )
    assert citations.additional_fields["Portal identifier"] == (
        "https://data.cityofexample.gov/api/views/88g8-5mnd"
    )
    assert (str(citations.modified), str(citations.issued), citations.update_frequency) == (
        "2024-06-13",
        "2016-01-01",
        "R/P1D",
    )
    assert citations.distributions[0]["download_url"].endswith("rows.csv")
    assert citations.contact_email == "opendata@cityofexample.gov"
    assert citations.additional_fields["bureauCode"] == "015:11"
    assert (force.classification, force.access_level, force.rights) == (
        "sensitive",
        "restricted public",
        "Aggregated to district under the state's records law.",
    )
    assert force.additional_fields["Last modified"] == "R/P1M"  # a repeating interval, kept
    assert (payroll.classification, payroll.identifier) == ("restricted", "hr-payroll2024")


def test_a_json_file_that_is_not_a_catalog_is_refused_in_words(app):
    from registry.transfer.workbooks import ImportRefused

    with app.app_context(), pytest.raises(ImportRefused, match="no “dataset” list"):
        read_table("catalog.json", b'{"datasets": []}')


def test_importing_the_same_file_twice_changes_nothing_the_second_time(coordinator):
    first = load("sf_dataset_inventory.csv", coordinator, create_departments=True)
    count = db.session.scalar(select(db.func.count()).select_from(Dataset))
    second = load("sf_dataset_inventory.csv", coordinator)
    again = db.session.scalar(select(db.func.count()).select_from(Dataset))
    assert (len(first.created), len(second.created), len(second.skipped), again) == (
        4,
        0,
        4,
        count,
    )


def test_a_portal_identifier_finds_the_record_even_when_renamed(coordinator):
    load("portal_data.json", coordinator, create_departments=True)
    data = (
        (SAMPLES / "portal_data.json")
        .read_bytes()
        .replace(b"Parking Citations", b"Parking Tickets")
    )
    report = run_import(read_table("again.json", data), actor=coordinator, dry_run=True, digest="x")
    assert (report.ok, report.created, len(report.skipped)) == (True, [], 3)


def test_a_row_repeated_within_the_file_is_found_too(make, coordinator):
    from tests.transfer.test_imports import csv_bytes

    make.department(code="PW", name="Public Works")
    rows = [["Dataset Name", "Agency"], ["Street Trees", "PW"], ["street  trees", "Public Works"]]
    report = run_import(
        read_table("x.csv", csv_bytes(rows)), actor=coordinator, dry_run=True, digest="x"
    )
    assert (len(report.created), [number for number, _ in report.skipped]) == (1, [3])


def test_creating_anyway_registers_each_row(coordinator):
    from registry.transfer.duplicates import Duplicates

    load("sf_dataset_inventory.csv", coordinator, create_departments=True)
    again = load("sf_dataset_inventory.csv", coordinator, duplicates=Duplicates.CREATE)
    assert (len(again.created), again.skipped) == (4, [])


def cli(app, *args):
    return app.test_cli_runner().invoke(args=["import", *args])


def test_the_cli_adds_departments_and_reads_columns_as_told(app, coordinator, tmp_path):
    mapping = tmp_path / "mapping.txt"
    mapping.write_text("# how San Francisco's columns read\nStatus Notes=ignore\nValue=keep\n")
    source = str(SAMPLES / "sf_dataset_inventory.csv")
    result = cli(
        app,
        source,
        "--create-departments",
        "--map-file",
        str(mapping),
        "--map",
        "Dataset Link=ignore",
        "--map",
        "Category=keep",
    )
    scores = record("Restaurant Inspection Scores")
    assert result.exit_code == 0, result.output
    assert "Department Public Health: added as PH" in result.output
    assert "Status Notes" not in scores.additional_fields and scores.additional_fields["Value"]
    assert (scores.themes, scores.additional_fields["Category"]) == (
        [],
        "Health and Social Services",
    )
    assert record("Parking Meter Transactions").landing_page is None


def test_the_cli_says_which_map_line_it_cannot_read(app, coordinator):
    result = cli(app, str(SAMPLES / "nyc_open_data_plan.csv"), "--map", "Agency=owner's pet")
    assert result.exit_code != 0 and "“owner's pet” is not a field" in result.output


def test_the_cli_lists_missing_departments_once_and_imports_nothing(app, coordinator):
    result = cli(app, str(SAMPLES / "nyc_open_data_plan.csv"))
    count = db.session.scalar(select(db.func.count()).select_from(Dataset))
    assert result.exit_code != 0 and count == 0
    assert result.output.count("The registry has no department") == 3


def test_the_cli_skips_what_is_registered_already(app, coordinator):
    source = str(SAMPLES / "civic_catalog.csv")
    cli(app, source, "--create-departments")
    again = cli(app, source)
    assert again.exit_code == 0 and "3 skipped as already registered" in again.output


def test_what_a_city_released_stays_released_without_the_committee(coordinator):
    from registry.audit.models import AuditEvent
    from registry.audit.tags import Tag

    report = load(
        "sf_dataset_inventory.csv", coordinator, create_departments=True, as_published=True
    )
    meters = record("Parking Meter Transactions")
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.tag == Tag.DATASET_TRANSITION, AuditEvent.subject_id == meters.identifier
        )
    )
    assert (meters.status, str(meters.published_on), report.released) == (
        "published",
        "2016-08-15",
        [meters.identifier],
    )
    assert event.payload["released_before_registry"] is True
    assert event.payload["source"] == "import sample"
    assert record("Restaurant Inspection Scores").status == "draft"  # not published at source


def test_a_restricted_or_unclassified_row_is_never_published_by_an_import(make, coordinator):
    report = load("portal_data.json", coordinator, create_departments=True, as_published=True)
    statuses = {
        title: record(title).status
        for title in ("Parking Citations", "Police Use of Force Incidents", "Payroll Detail")
    }
    assert statuses == {
        "Parking Citations": "published",
        "Police Use of Force Incidents": "published",
        "Payroll Detail": "draft",
    }
    assert [why for _, why in report.not_released] == [
        "published at its source, but restricted: kept as a draft"
    ]


def test_only_a_coordinator_records_releases_made_before_the_registry(make):
    from registry.errors import PermissionDenied

    make.department(code="PW")
    steward = make.user("steward", departments=["PW"])
    data = (SAMPLES / "san_diego_inventory.csv").read_bytes()
    with pytest.raises(PermissionDenied):
        run_import(
            read_table("sd.csv", data),
            actor=steward,
            department="PW",
            dry_run=True,
            digest="x",
            as_published=True,
        )


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("empty.csv", b"", "The file is empty"),
        ("headers.csv", b"Dataset Name,Agency\n", "no datasets below it"),
        ("empty.json", b'{"dataset": []}', "lists no datasets"),
    ],
)
def test_an_empty_file_says_it_is_empty(app, name, data, says):
    from registry.transfer.workbooks import ImportRefused

    with app.app_context(), pytest.raises(ImportRefused, match=says):
        read_table(name, data)
