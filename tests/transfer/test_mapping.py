"""The preview is where the person decides: how each column reads and what each value the
registry does not know means; the choices are remembered for the department, offered as a
mapping file, and taken by the CLI in the same words."""

import io
import re

import pytest
from sqlalchemy import select

from registry.datasets.models import Dataset
from registry.extensions import db
from registry.transfer.headers import match_headers
from registry.transfer.mapping import Choices, read_choices, unknown_values
from registry.transfer.workbooks import read_table
from tests import factories

SHEET = (
    b"Dataset Name,Department Priority,Sensitivity,Refresh,Internal code\n"
    b"Street Trees,Tier A,Open,Monthly,T-1\n"
    b"Tree Permits,Tier B,Open,Weekly,T-2\n"
    b"Crew Rosters,Tier A,Staff Only,Weekly,T-3\n"
)


@pytest.fixture
def coordinator(make):
    make.department(code="PW", name="Public Works")
    return make.user("coordinator")


def signed_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = factories.browser_session(user)


def upload(client, data=SHEET, name="parks.csv"):
    return client.post(
        "/imports",
        data={"file": (io.BytesIO(data), name), "department": "PW"},
        content_type="multipart/form-data",
    )


def test_a_mapping_file_reads_columns_and_values():
    choices = read_choices(
        [
            "# a comment",
            "Sensitivity=Classification",
            "Internal code=ignore",
            "Classification: Staff Only=internal",
            "Department Priority: Tier A=High",
            "Release priority: Tier C=",
        ]
    )
    assert choices.columns == {"sensitivity": "classification", "internalcode": "ignore"}
    assert choices.values == {
        "classification": {"Staff Only": "internal"},
        "release_priority": {"Tier A": "high", "Tier C": ""},
    }
    with pytest.raises(
        ValueError, match="“Top secret” is not one of the registry's values for sensitivity"
    ):
        read_choices(["Classification: Staff Only=Top secret"])


def test_unknown_values_are_listed_once_each_with_their_rows(app):
    table = read_table("parks.csv", SHEET)
    choices = read_choices(["Sensitivity=Classification", "Classification: Open=public"])
    matching = match_headers(table.headers, choices.columns)
    found = unknown_values(table.rows, matching, choices)
    assert dict(found["release_priority"]) == {"Tier A": 2, "Tier B": 1}
    assert dict(found["classification"]) == {"Staff Only": 1}
    assert "update_frequency" not in found


def test_the_preview_reads_again_with_the_persons_choices_and_remembers_them(client, coordinator):
    signed_in(client, coordinator)
    first = upload(client)
    html = first.get_data(as_text=True)
    assert first.status_code == 422  # "Staff Only" is no classification: its row is refused
    assert "Staff Only" in html and "Tier A" in html and "Tier B" in html
    assert 'name="column-4"' in html and "value-classification-1" in html
    upload_id = re.search(r"/imports/(\d+)/read", html).group(1)
    form = {f"column-{n}": "keep" for n in range(5)}
    form.update(
        {"column-0": "title", "column-1": "release_priority", "column-3": "update_frequency"}
    )
    form.update({"column-2": "classification", "column-4": "ignore"})
    form.update({"source-release_priority-1": "Tier A", "value-release_priority-1": "high"})
    form.update({"source-release_priority-2": "Tier B", "value-release_priority-2": "-"})
    form.update({"source-classification-1": "Staff Only", "value-classification-1": "internal"})
    second = client.post(f"/imports/{upload_id}/read", data=form)
    assert second.status_code == 200, second.get_data(as_text=True)[-2000:]
    mapping = client.get(f"/imports/{upload_id}/mapping.txt").get_data(as_text=True)
    assert "Sensitivity=Sensitivity classification" in mapping
    assert "Internal code=ignore" in mapping
    assert "Sensitivity classification: Staff Only=Level 2: internal" in mapping
    assert "Department's release priority: Tier B=\n" in mapping
    again = read_choices(mapping.splitlines())  # the file reads back as the same choices
    assert again.values == {
        "release_priority": {"Tier A": "high", "Tier B": ""},
        "classification": {"Staff Only": "internal"},
    }
    assert again.columns["sensitivity"] == "classification"
    assert client.post(f"/imports/{upload_id}/confirm").status_code == 302
    records = {r.title: r for r in db.session.scalars(select(Dataset))}
    trees, permits, rosters = (
        records["Street Trees"],
        records["Tree Permits"],
        records["Crew Rosters"],
    )
    assert (trees.release_priority, trees.classification) == ("high", "public")
    assert (permits.release_priority, rosters.classification) == ("medium", "internal")
    assert "Internal code" not in trees.additional_fields

    # The department's next file is read the same way, and the page says so.
    again = upload(client, SHEET.replace(b"Street Trees", b"Park Benches"), "parks-2.csv")
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and "Read as your department's last import was" in html
    assert "1 new draft registered" in html


def test_the_cli_takes_the_downloaded_mapping_file(app, coordinator, tmp_path):
    source = tmp_path / "parks.csv"
    source.write_bytes(SHEET)
    mapping = tmp_path / "mapping.txt"
    mapping.write_text(
        "Sensitivity=Classification\nInternal code=ignore\n"
        "Classification: Open=Level 1: public\nClassification: Staff Only=Level 2: internal\n"
        "Release priority: Tier A=High\nRelease priority: Tier B=\n"
    )
    result = app.test_cli_runner().invoke(
        args=["import", str(source), "--department", "PW", "--map-file", str(mapping)]
    )
    assert result.exit_code == 0, result.output
    rosters = db.session.scalar(select(Dataset).where(Dataset.title == "Crew Rosters"))
    assert (rosters.classification, rosters.release_priority) == ("internal", "high")


def test_a_remembered_choice_gives_way_to_a_new_one():
    remembered = Choices({"sensitivity": "classification"}, {"classification": {"Open": "public"}})
    new = Choices({"sensitivity": "keep"}, {"classification": {"OPEN": "internal"}})
    merged = new.over(remembered)
    assert merged.columns == {"sensitivity": "keep"}
    assert merged.values == {"classification": {"OPEN": "internal"}}
    assert merged.value_of("classification", "open") == "internal"


def test_a_status_word_of_the_citys_says_what_is_released_once_mapped(coordinator):
    from registry.transfer.imports import run_import

    data = (
        b"Dataset Name,Department,Data Classification,Publishing Status,Date Published\n"
        b"Street Trees,PW,public,Live on portal,2021-05-04\n"
        b"Tree Permits,PW,public,Coming soon,\n"
        b"Crew Rosters,PW,public,Not Published,\n"
    )
    table = read_table("status.csv", data)
    first = run_import(table, actor=coordinator, dry_run=True, digest="s", as_published=True)
    assert dict(first.unknown_values["publishing_status"]) == {
        "Live on portal": 1,
        "Coming soon": 1,
    }
    assert first.released == []
    choices = read_choices(
        [
            "Publishing Status: Live on portal=published",
            "Publishing Status: Coming soon=Not published",
        ]
    )
    second = run_import(
        table, actor=coordinator, dry_run=False, digest="t", as_published=True, choices=choices
    )
    assert second.unknown_values == {} and len(second.released) == 1
    trees = db.session.scalar(select(Dataset).where(Dataset.title == "Street Trees"))
    assert (trees.status, str(trees.published_on)) == ("published", "2021-05-04")


def test_each_repeating_row_can_be_skipped_updated_or_registered_anyway(client, coordinator, make):
    make.dataset(department="PW", title="Street Trees", classification="public")
    make.dataset(department="PW", title="Tree Permits", classification="public")
    signed_in(client, coordinator)
    data = (
        b"Dataset Name,Department,Data Classification,Department Priority\n"
        b"Street Trees,PW,public,Priority 1\n"
        b"Tree Permits,PW,public,Priority 1\n"
        b"Crew Rosters,PW,public,Priority 1\n"
    )
    first = client.post(
        "/imports",
        data={"file": (io.BytesIO(data), "again.csv"), "department": "PW"},
        content_type="multipart/form-data",
    )
    html = first.get_data(as_text=True)
    assert 'name="repeat-2"' in html and 'name="repeat-3"' in html
    assert "1 new draft registered" in html and "2 skipped as already registered" in html
    upload_id = re.search(r"/imports/(\d+)/read", html).group(1)
    again = client.post(
        f"/imports/{upload_id}/read", data={"repeat-2": "update", "repeat-3": "create"}
    )
    html = again.get_data(as_text=True)
    assert "2 new drafts registered" in html and "1 record updated" in html
    assert client.post(f"/imports/{upload_id}/confirm").status_code == 302
    titles = [r.title for r in db.session.scalars(select(Dataset).order_by(Dataset.id))]
    assert titles.count("Tree Permits") == 2 and titles.count("Street Trees") == 1
    trees = db.session.scalar(select(Dataset).where(Dataset.title == "Street Trees"))
    assert trees.release_priority == "high" and trees.version == 2
