"""Large exports from the web are prepared in the background: a page offers to start one, the
job's page follows it, and its file goes only to whoever asked, while they may still use its
scope, audited like any export. A job whose process died is reported failed, never offered
half-written; one that never started runs on retry; an expired file is gone."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry.accounts.services import update_user
from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.db import utcnow
from registry.extensions import db
from registry.transfer.jobs import jobs_dir, tend_jobs
from registry.transfer.models import ExportJob
from tests import factories


@pytest.fixture
def large(app, monkeypatch, make):
    """Any export of more than one record is large here."""
    monkeypatch.setitem(app.config, "EXPORT_BACKGROUND_ROWS", 1)
    make.department(code="PW", name="Public Works")
    for number in range(3):
        make.dataset(department="PW", title=f"Street trees {number}")
    make.dataset(department="PW", classification="restricted", title="Informants")


def signed_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = factories.browser_session(user)
    return client


def ask(client, **form):
    fields = {"format": "csv", "scope": "full", "department": "", "as_of": ""} | form
    return client.post("/exports/jobs", data=fields)


def exports_audited() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.tag == Tag.EXPORT)))


def test_a_large_export_is_offered_then_prepared_and_downloaded(client, make, large):
    coordinator = make.user("coordinator")
    client = signed_in(client, coordinator)
    offer = client.get("/exports/inventory.csv?scope=full")
    assert offer.status_code == 200
    page = offer.get_data(as_text=True)
    assert "Prepare the file" in page and "about <strong>4 datasets</strong>" in page
    assert exports_audited() == []  # nothing was exported yet

    started = ask(client)
    assert started.status_code == 302
    job = db.session.scalar(select(ExportJob).order_by(ExportJob.id.desc()))
    assert started.headers["Location"].endswith(f"/exports/jobs/{job.id}")
    assert job.status == "done" and job.rows_written == 4 and job.rows_expected == 4
    (completed,) = exports_audited()
    assert completed.payload["job"] == job.id and completed.payload["sha256"] == job.sha256

    shown = client.get(f"/exports/jobs/{job.id}").get_data(as_text=True)
    assert "Your file is ready" in shown and job.sha256 in shown
    assert client.get("/exports").get_data(as_text=True).count(job.filename) == 1

    download = client.get(f"/exports/jobs/{job.id}/file")
    assert download.status_code == 200
    assert hashlib.sha256(download.data).hexdigest() == job.sha256
    assert download.headers["X-Content-SHA256"] == job.sha256
    assert b"Informants" in download.data and download.data.count(b"Street trees") == 3
    delivered = exports_audited()[-1]
    assert delivered.payload["job"] == job.id and delivered.payload["delivered"]
    state = client.get(f"/exports/jobs/{job.id}/status").get_json()
    assert state["status"] == "done" and state["rows_written"] == 4


def test_a_small_export_is_still_a_plain_download(client, make, app, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_BACKGROUND_ROWS", 10)
    make.dataset(title="One record")
    client = signed_in(client, make.user("coordinator"))
    response = client.get("/exports/inventory.csv?scope=full")
    assert response.status_code == 200 and b"One record" in response.data


def test_a_job_goes_only_to_whoever_asked(client, make, large):
    client = signed_in(client, make.user("coordinator"))
    ask(client)
    job = db.session.scalar(select(ExportJob))
    other = signed_in(client, make.user("coordinator"))
    for address in (f"/exports/jobs/{job.id}", f"/exports/jobs/{job.id}/file"):
        assert other.get(address).status_code == 404
    assert "Files prepared for you" not in other.get("/exports").get_data(as_text=True)


def test_a_forbidden_scope_is_refused_when_asked_and_when_fetched(client, make, large):
    stakeholder = signed_in(client, make.user("stakeholder"))
    assert ask(stakeholder).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 0

    coordinator = make.user("coordinator")
    client = signed_in(client, coordinator)
    ask(client)
    job = db.session.scalar(select(ExportJob))
    change = {"roles": ["stakeholder"]}
    update_user(coordinator, change, actor=make.user("coordinator"), partial=True)
    db.session.commit()
    client = signed_in(client, coordinator)
    assert client.get(f"/exports/jobs/{job.id}/file").status_code == 403


def test_a_bad_request_says_what_is_wrong_and_starts_nothing(client, make, large):
    client = signed_in(client, make.user("coordinator"))
    response = ask(client, format="pdf")
    assert response.status_code == 302
    assert "Choose XLSX, CSV, data.json or the DCAT-US 3.0 catalog" in client.get(
        "/exports"
    ).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ExportJob)) == 0


def _job(user, **values) -> ExportJob:
    fields = {"format": "csv", "scope": "full", "rows_expected": 4, "rows_written": 0}
    job = ExportJob(user_id=user.id, filename="inventory-full.csv", **(fields | values))
    db.session.add(job)
    db.session.commit()
    return job


def test_a_job_whose_process_died_is_reported_failed_and_its_part_removed(client, make, large):
    coordinator = make.user("coordinator")
    stale = utcnow() - timedelta(minutes=10)
    job = _job(coordinator, status="running", heartbeat_at=stale, rows_written=2)
    part = jobs_dir() / f"{job.id}.part"
    part.write_bytes(b"Identifier,Title\r\nhalf a fi")
    renamed = jobs_dir() / f"{job.id}-0123456789abcdef.csv"  # whole, but never recorded
    renamed.write_bytes(b"Identifier,Title\r\n")
    assert tend_jobs() == 1
    db.session.refresh(job)
    assert job.status == "failed" and "stopped" in job.error
    assert not part.exists() and not renamed.exists()
    client = signed_in(client, coordinator)
    assert client.get(f"/exports/jobs/{job.id}/file").status_code == 404
    page = client.get(f"/exports/jobs/{job.id}").get_data(as_text=True)
    assert "Could not be prepared" in page and "Prepare it again" in page


def test_a_job_that_never_started_runs_on_retry(make, large):
    coordinator = make.user("coordinator")
    job = _job(coordinator, status="queued", created_at=utcnow() - timedelta(minutes=10))
    tend_jobs()
    db.session.refresh(job)
    assert job.status == "done" and job.rows_written == 4 and Path(job.path).exists()


def test_an_expired_file_is_removed(client, make, large):
    coordinator = make.user("coordinator")
    client = signed_in(client, coordinator)
    ask(client)
    job = db.session.scalar(select(ExportJob))
    path = Path(job.path)
    assert path.exists()
    job.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    tend_jobs()
    db.session.refresh(job)
    assert job.status == "expired" and not path.exists()
    assert client.get(f"/exports/jobs/{job.id}/file").status_code == 404
