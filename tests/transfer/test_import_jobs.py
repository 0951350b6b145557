"""A large file from the web is previewed and imported in the background, as large exports are
prepared: the answer is the job's page, which shows its progress, then the preview with its
choices, then what the import did. (Jobs run inline in the suite; tests/test_process_death.py
kills a server mid-import.)"""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry.audit.models import AuditEvent
from registry.audit.tags import Tag
from registry.datasets.models import Dataset
from registry.db import utcnow
from registry.extensions import db
from registry.transfer.import_jobs import tend_import_jobs
from registry.transfer.models import ImportJob, ImportMapping, ImportUpload
from tests import factories


@pytest.fixture
def coordinator(make, app, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_INLINE_BYTES", 200)  # every file here is "large"
    make.department(code="PW", name="Public Works")
    return make.user("coordinator")


def inventory(rows: int) -> bytes:
    lines = ["Dataset Name,Agency,Department Priority,Data Classification"]
    lines += [f"Large file row {n},PW,Tier {n % 2},public" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def signed_in(client, user):
    with client.session_transaction() as session:
        session["_user_id"] = factories.browser_session(user)


def test_a_large_file_is_previewed_and_imported_in_the_background(client, coordinator):
    signed_in(client, coordinator)
    before = db.session.scalar(select(func.count()).select_from(Dataset))
    asked = client.post(
        "/imports",
        data={"file": (io.BytesIO(inventory(30)), "large.csv")},
        content_type="multipart/form-data",
    )
    assert asked.status_code == 302
    preview_page = asked.headers["Location"]
    job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
    assert (job.stage, job.status, job.rows_done) == ("preview", "done", 30)
    preview = client.get(preview_page)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "30 new drafts registered" in html
    assert "“Tier 0”" in html and 'name="value-release_priority-1"' in html  # to give a meaning
    upload_id = re.search(r"/imports/(\d+)/read", html).group(1)
    status = client.get(f"{preview_page}/status").get_json()
    assert (status["status"], status["rows_written"], status["rows_expected"]) == ("done", 30, 30)

    again = client.post(
        f"/imports/{upload_id}/read",
        data={
            "source-release_priority-1": "Tier 0",
            "value-release_priority-1": "high",
            "source-release_priority-2": "Tier 1",
            "value-release_priority-2": "low",
        },
    )
    assert again.status_code == 302  # read again in the background too
    assert "Tier 0" not in client.get(again.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Dataset)) == before

    done = client.post(f"/imports/{upload_id}/confirm")
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Imported" in page and "30 created" in page
    assert db.session.scalar(select(func.count()).select_from(Dataset)) == before + 30
    priorities = set(
        db.session.scalars(select(Dataset.release_priority).where(Dataset.title.like("Large%")))
    )
    assert priorities == {"high", "low"}
    assert db.session.get(ImportUpload, int(upload_id)) is None
    assert db.session.scalar(select(ImportMapping.choices))["values"]["release_priority"]
    imported = select(AuditEvent).where(AuditEvent.tag == str(Tag.IMPORT))
    assert db.session.scalar(imported).payload["created"] == 30


def test_someone_elses_import_job_is_not_found(client, coordinator, make):
    signed_in(client, coordinator)
    asked = client.post(
        "/imports",
        data={"file": (io.BytesIO(inventory(10)), "large.csv")},
        content_type="multipart/form-data",
    )
    other = make.user("coordinator", email="other@city.example")
    signed_in(client, other)
    assert client.get(asked.headers["Location"]).status_code == 404
    assert client.get(asked.headers["Location"] + "/status").status_code == 404


def test_housekeeping_fails_a_job_whose_process_died(coordinator):
    job = ImportJob(user_id=coordinator.id, filename="lost.csv", stage="import")
    job.status, job.rows_expected, job.rows_done = "running", 100, 40
    job.heartbeat_at = utcnow() - timedelta(hours=1)
    db.session.add(job)
    db.session.flush()
    assert tend_import_jobs() == 1
    assert job.status == "failed" and "nothing was imported" in job.error


def test_a_confirmation_sent_twice_imports_once(client, coordinator, app, monkeypatch):
    from registry.background import InlineRunner

    signed_in(client, coordinator)
    asked = client.post(
        "/imports",
        data={"file": (io.BytesIO(inventory(12)), "twice.csv")},
        content_type="multipart/form-data",
    )
    html = client.get(asked.headers["Location"]).get_data(as_text=True)
    upload_id = re.search(r"/imports/(\d+)/confirm", html).group(1)
    held = []  # the first confirmation's job waits, as one queued behind another would
    monkeypatch.setattr(InlineRunner, "submit", lambda self, task, job_id: held.append(job_id))
    first = client.post(f"/imports/{upload_id}/confirm")
    second = client.post(f"/imports/{upload_id}/confirm")
    assert first.headers["Location"] == second.headers["Location"] and len(held) == 1
    from registry.transfer.import_jobs import run_import_job

    run_import_job(held[0])
    titled = select(func.count()).select_from(Dataset).where(Dataset.title.like("Large%"))
    assert db.session.scalar(titled) == 12
