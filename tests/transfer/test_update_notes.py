"""A row that updates a record, with a value the registry cannot read, tells the record's steward
as a new record's row does; the steward marks the notes as looked at, and the history keeps them."""

from sqlalchemy import select

from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.datasets.governance import TO_CONFIRM
from registry.datasets.models import Dataset, DatasetVersion
from registry.extensions import db
from registry.transfer.imports import run_import
from registry.transfer.workbooks import read_table

NEWER = (
    b"Dataset Name,Department,Data Classification,cadence\n"
    b"Street Trees,PW,public,live service; item last modified 2024-06-13\n"
)


def update_from_file(coordinator, digest: str):
    report = run_import(
        read_table("newer.csv", NEWER),
        actor=coordinator,
        dry_run=False,
        digest=digest,
        duplicates="update",
    )
    assert report.ok, [str(problem) for problem in report.problems]
    db.session.flush()
    return report


def test_an_update_that_sets_a_value_aside_notes_it_for_the_steward_once(make):
    make.department(code="PW", name="Public Works")
    coordinator = make.user("coordinator")
    trees = make.dataset(department="PW", title="Street Trees", classification="public")

    first = update_from_file(coordinator, "first")
    assert first.updated == [trees.identifier]
    assert trees.additional_fields["cadence"] == "live service; item last modified 2024-06-13"
    assert trees.update_frequency is None
    [note] = trees.attention
    assert note.startswith("cadence: “live service") and "was not read" in note

    again = update_from_file(coordinator, "again")  # the same file: nothing changes
    assert again.updated == [] and again.unchanged == [trees.identifier]
    assert trees.attention == [note]


def test_the_steward_marks_the_notes_looked_at_and_the_classification_to_confirm_stays(
    client, make, sign_in
):
    make.department(code="PW", name="Public Works")
    steward = make.user("steward", departments=["PW"])
    trees = make.dataset(department="PW", title="Street Trees", classification="public")
    trees.attention = [TO_CONFIRM, "cadence: “hourly-ish” was not read (not a frequency)."]
    db.session.commit()
    before = trees.version

    sign_in(steward)
    page = client.get(f"/datasets/{trees.identifier}").get_data(as_text=True)
    assert "hourly-ish" in page and "I have looked at these notes" in page
    response = client.post(f"/datasets/{trees.identifier}/notes-seen", follow_redirects=True)
    assert "marked as looked at" in response.get_data(as_text=True)

    record = db.session.get(Dataset, trees.id)
    assert record.attention == [TO_CONFIRM] and record.version == before + 1
    version = db.session.scalar(
        select(DatasetVersion).where(
            DatasetVersion.dataset_id == record.id, DatasetVersion.version == record.version
        )
    )
    assert "attention" in version.changes
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert event.tag == str(Tag.DATASET_UPDATE) and event.payload["after"]["attention"] == [
        TO_CONFIRM
    ]
    # Nothing left to mark: the button goes, and a second press changes nothing.
    page = client.get(f"/datasets/{trees.identifier}").get_data(as_text=True)
    assert "I have looked at these notes" not in page
    client.post(f"/datasets/{trees.identifier}/notes-seen")
    assert db.session.get(Dataset, trees.id).version == before + 1


def test_someone_who_may_not_edit_the_record_cannot_clear_its_notes(client, make, sign_in):
    make.department(code="PW", name="Public Works")
    make.department(code="PARKS", name="Parks and Recreation")
    other = make.user("steward", departments=["PARKS"])
    trees = make.dataset(department="PW", title="Street Trees", classification="public")
    trees.attention = ["cadence: “hourly-ish” was not read (not a frequency)."]
    db.session.commit()
    sign_in(other)
    assert client.post(f"/datasets/{trees.identifier}/notes-seen").status_code in (403, 404)
    assert db.session.get(Dataset, trees.id).attention == trees.attention
