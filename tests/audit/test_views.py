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
