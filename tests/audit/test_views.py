"""The audit log reads in words and links each event to what it is about."""


def test_events_are_named_in_words_and_link_to_their_subject(client, make, sign_in):
    dataset = make.dataset(title="Street Trees")
    sign_in(make.user("auditor"))
    html = client.get("/audit").get_data(as_text=True)
    assert "Dataset registered" in html
    assert f'href="/datasets/{dataset.identifier}"' in html


def test_anyone_can_read_the_audit_logs_head(client, make):
    make.department()
    page = client.get("/audit/head").get_data(as_text=True)
    head = client.get("/api/v1/audit/head").get_json()
    assert head["hash"] in page and head["seq"] >= 1


def test_reading_the_audit_log_is_itself_audited(client, make, sign_in):
    from sqlalchemy import select

    from registry.audit.models import AuditEvent
    from registry.audit.tags import Tag
    from registry.extensions import db

    auditor = sign_in(make.user("auditor"))
    client.get("/audit?tag=dataset")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.tag == Tag.AUDIT_READ))
    assert (event.actor_id, event.payload["filters"]) == (auditor.id, {"tag": "dataset"})


def test_viewing_a_restricted_record_is_audited_and_an_open_one_is_not(client, make, sign_in):
    from sqlalchemy import select

    from registry.audit.models import AuditEvent
    from registry.audit.tags import Tag
    from registry.extensions import db

    restricted = make.dataset(classification="restricted")
    public = make.dataset(classification="public")
    sign_in(make.user("auditor"))
    client.get(f"/datasets/{restricted.identifier}")
    client.get(f"/datasets/{public.identifier}")
    client.get(f"/api/v1/datasets/{restricted.identifier}")
    subjects = db.session.scalars(
        select(AuditEvent.subject_id).where(AuditEvent.tag == Tag.DATASET_READ_RESTRICTED)
    ).all()
    assert subjects == [restricted.identifier, restricted.identifier]


def submitted(make, title="Street Trees"):
    from registry.reviews.services import perform_transition

    make.department(code="PW")
    steward = make.user("steward", departments=["PW"], name="Marisol Vega")
    from tests.factories import COMPLETE

    dataset = make.dataset(actor=steward, department="PW", **{**COMPLETE, "title": title})
    perform_transition(dataset, {"action": "submit"}, actor=steward)
    from registry.extensions import db

    db.session.commit()
    return dataset, steward


def test_the_log_reads_as_sentences(client, make, sign_in):
    submitted(make)
    sign_in(make.user("auditor"))
    html = client.get("/audit").get_data(as_text=True)
    assert "Marisol Vega submitted Street Trees for review" in html
    assert "Marisol Vega registered Street Trees" in html


def test_an_auditor_is_never_offered_a_link_that_answers_403(client, make, sign_in):
    person = make.user("stakeholder")
    auditor = sign_in(make.user("auditor"))
    html = client.get("/audit?tag=account:user").get_data(as_text=True)
    assert f"/admin/users/{person.id}/edit" not in html and auditor.email in html


def test_a_coordinator_gets_the_link_to_a_person(client, make, sign_in):
    person = make.user("stakeholder")
    sign_in(make.user("coordinator"))
    html = client.get("/audit?tag=account:user").get_data(as_text=True)
    assert f"/admin/users/{person.id}/edit" in html


def test_the_log_filters_by_person_name_and_by_record(client, make, sign_in):
    dataset, _ = submitted(make)
    make.dataset(title="Potholes")
    sign_in(make.user("auditor"))
    by_person = client.get("/audit?person=marisol").get_data(as_text=True)
    by_record = client.get(f"/audit?record={dataset.identifier}").get_data(as_text=True)
    assert "Potholes" not in by_person and "submitted Street Trees" in by_person
    assert "Potholes" not in by_record and "registered Street Trees" in by_record


def test_the_log_exports_with_its_fingerprint_and_the_export_is_audited(client, make, sign_in):
    import hashlib
    import json

    from sqlalchemy import select

    from registry.audit.models import AuditEvent
    from registry.audit.tags import Tag
    from registry.extensions import db

    submitted(make, title="=HYPERLINK(1)")
    sign_in(make.user("auditor"))
    lines = client.get("/audit/export.jsonl")
    table = client.get("/audit/export.csv")
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.tag == Tag.AUDIT_EXPORT).order_by(AuditEvent.seq)
    )
    sha = hashlib.sha256(lines.data).hexdigest()
    rows = [json.loads(line) for line in lines.data.decode().splitlines()]
    assert (lines.headers["X-Content-SHA256"], event.payload["sha256"]) == (sha, sha)
    assert [row["seq"] for row in rows] == sorted(row["seq"] for row in rows)
    assert hashlib.sha256(table.data).hexdigest() == table.headers["X-Content-SHA256"]
    assert b",=HYPERLINK" not in table.data and b"'Marisol Vega submitted" not in table.data


def test_verifying_from_the_browser_reports_an_intact_log(client, make, sign_in):
    submitted(make)
    sign_in(make.user("auditor"))
    started = client.post("/audit/verify")
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert started.status_code == 302 and "The log is intact" in page
    assert "no checkpoint" in page


def test_verifying_against_a_checkpoint_names_it_and_finds_tampering(client, make, sign_in):
    import io
    import json

    from sqlalchemy import update

    from registry.audit.checkpoints import take_checkpoint
    from registry.datasets.models import Dataset
    from registry.extensions import db

    dataset, _ = submitted(make)
    checkpoint = take_checkpoint()
    db.session.execute(
        update(Dataset).where(Dataset.id == dataset.id).values(title="Quietly renamed")
    )
    sign_in(make.user("auditor"))
    started = client.post(
        "/audit/verify",
        data={"checkpoint": (io.BytesIO(json.dumps(checkpoint).encode()), "mine.json")},
        content_type="multipart/form-data",
    )
    page = client.get(started.headers["Location"]).get_data(as_text=True)
    assert f"the checkpoint in mine.json: event {checkpoint['seq']:,}" in page
    assert "found 1 problem" in page and "differs from its latest version in title" in page


def test_a_file_that_is_not_a_checkpoint_is_refused(client, make, sign_in):
    import io

    sign_in(make.user("auditor"))
    response = client.post(
        "/audit/verify",
        data={"checkpoint": (io.BytesIO(b"hello"), "notes.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "notes.txt is not a checkpoint file" in (
        response.get_data(as_text=True)
    )
