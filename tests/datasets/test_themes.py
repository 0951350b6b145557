"""The city's themes are its own: the coordinator keeps the list, records are checked against
it, and an import can add the themes its file names (listed once each otherwise)."""

import pytest
from marshmallow import ValidationError
from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.datasets.models import Theme
from registry.datasets.themes import add_theme, city_themes
from registry.datasets.vocab import DEFAULT_THEMES
from registry.errors import PermissionDenied
from registry.extensions import db
from registry.transfer.imports import run_import
from registry.transfer.workbooks import read_table


@pytest.fixture
def coordinator(make):
    make.department(code="PW", name="Public Works")
    return make.user("coordinator")


CITY_FILE = (
    b"Dataset Name,Department,Category,Data Classification\n"
    b"Street Trees,PW,Urban Forestry,public\n"
    b"Tree Permits,PW,urban forestry; Permits and Licensing,public\n"
    b"Potholes,PW,Transportation,public\n"
    b"Crew Rosters,PW,Operations,\n"
)


def importing(actor, **options):
    return run_import(
        read_table("city.csv", CITY_FILE), actor=actor, dry_run=False, digest="themes", **options
    )


def test_a_new_registry_starts_with_the_twelve():
    assert sorted(city_themes()) == sorted(DEFAULT_THEMES)


def test_a_coordinator_adds_a_theme_and_stewards_may_use_it(make, coordinator):
    add_theme({"name": "Urban Forestry"}, actor=coordinator)
    record = make.dataset(department="PW", themes=["urban forestry"])
    assert record.themes == ["Urban Forestry"]  # spelled as the city spells it
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == str(Tag.THEME_ADD)))
    assert event.subject_id == "Urban Forestry"
    with pytest.raises(ValidationError) as refused:
        add_theme({"name": "URBAN FORESTRY"}, actor=coordinator)
    assert refused.value.messages == {"name": ["The city has this theme already."]}


def test_a_theme_the_city_lacks_is_refused_in_words(make, coordinator):
    with pytest.raises(ValidationError) as refused:
        make.dataset(department="PW", themes=["Urban Forestry"])
    assert refused.value.messages["themes"][0].startswith(
        "Not one of the city's themes: Urban Forestry."
    )


def test_only_the_coordinator_keeps_the_list(make, coordinator):
    steward = make.user("steward", departments=["PW"])
    with pytest.raises(PermissionDenied):
        add_theme({"name": "Urban Forestry"}, actor=steward)


def test_an_import_lists_each_missing_theme_once_and_keeps_the_values(coordinator):
    report = importing(coordinator)
    assert report.ok and len(report.created) == 4
    assert report.themes_missing == {
        "Urban Forestry": [2, 3],
        "Permits and Licensing": [3],
        "Operations": [5],
    }
    assert "Urban Forestry" not in city_themes()


def test_an_import_adds_the_themes_it_names_when_asked(coordinator):
    report = importing(coordinator, create_themes=True)
    assert report.themes_created == ["Urban Forestry", "Permits and Licensing", "Operations"]
    db.session.flush()
    names = set(db.session.scalars(select(Theme.name)))
    assert {"Urban Forestry", "Permits and Licensing", "Operations"} <= names
    from registry.datasets.models import Dataset

    permits = db.session.scalar(select(Dataset).where(Dataset.title == "Tree Permits"))
    assert sorted(permits.themes) == ["Permits and Licensing", "Urban Forestry"]
    added = select(AuditEvent).where(AuditEvent.tag == str(Tag.THEME_ADD))
    assert [event.payload["source"] for event in db.session.scalars(added)] == ["import themes"] * 3


def test_one_classification_for_every_unclassified_row_is_the_coordinators(make, coordinator):
    from registry.datasets.models import Dataset

    report = importing(coordinator, unclassified="internal", create_themes=True)
    assert report.classified == 1
    rosters = db.session.scalar(select(Dataset).where(Dataset.title == "Crew Rosters"))
    assert (rosters.classification, rosters.attention) == ("internal", [])
    trees = db.session.scalar(select(Dataset).where(Dataset.title == "Street Trees"))
    assert trees.classification == "public"  # a level the row gives stands
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == str(Tag.IMPORT)))
    assert (event.payload["unclassified_rows_classified"], event.payload["as"]) == (1, "internal")
    steward = make.user("steward", departments=["PW"])
    with pytest.raises(PermissionDenied):
        run_import(
            read_table("city.csv", CITY_FILE),
            actor=steward,
            department="PW",
            dry_run=True,
            digest="x",
            unclassified="public",
        )


def test_the_themes_page_adds_and_removes(client, sign_in, coordinator):
    sign_in(coordinator)
    page = client.get("/admin/themes")
    assert page.status_code == 200 and "Public Safety" in page.text
    added = client.post("/admin/themes", data={"name": "Urban Forestry"})
    assert added.status_code == 302
    assert "Urban Forestry" in client.get("/admin/themes").text
    theme = db.session.scalar(select(Theme).where(Theme.name == "Urban Forestry"))
    assert client.post(f"/admin/themes/{theme.id}/remove").status_code == 302
    assert "Urban Forestry" not in city_themes()
    refused = client.post("/admin/themes", data={"name": "x"})
    assert refused.status_code == 422 and "Give a name of 2 to 100 characters." in refused.text


def test_the_cli_adds_themes_and_classifies_what_is_unclassified(app, coordinator, tmp_path):
    from registry.datasets.models import Dataset

    source = tmp_path / "city.csv"
    source.write_bytes(CITY_FILE)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["import", str(source), "--dry-run"])
    assert listed.exit_code == 0, listed.output
    assert "Theme Urban Forestry (rows 2, 3): the city lacks it" in listed.output
    done = runner.invoke(
        args=["import", str(source), "--create-themes", "--classification", "internal"]
    )
    assert done.exit_code == 0, done.output
    assert "Theme Operations: added" in done.output
    assert "1 rows without a classification: internal" in done.output
    rosters = db.session.scalar(select(Dataset).where(Dataset.title == "Crew Rosters"))
    assert (rosters.classification, rosters.themes) == ("internal", ["Operations"])
    wrong = runner.invoke(args=["import", str(source), "--classification", "secret"])
    assert wrong.exit_code == 2 and "'secret' is not one of" in wrong.output
