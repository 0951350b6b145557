"""An uploaded inventory file waiting for its uploader to confirm the import they previewed.

Kept in the database (not a worker's memory or disk), so the confirmation may reach any worker
or host; removed once imported, and a day after upload otherwise.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import UTCDateTime, utcnow
from registry.extensions import db


class ImportUpload(db.Model):
    __tablename__ = "import_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    department: Mapped[str | None] = mapped_column(String(16))
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the uploader chose in the preview (add missing departments), kept for the confirm.
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ImportMapping(db.Model):
    """How a department's inventories are read (transfer.mapping.Choices as JSON), as its last
    confirmed import settled it, offered at its next import. `department` is a department's
    code, or ANY_DEPARTMENT for files that name their own departments."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    department: Mapped[str] = mapped_column(String(16), unique=True)
    choices: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


ANY_DEPARTMENT = "*"


class ImportJob(db.Model):
    """A large inventory previewed (a dry run) or imported in the background: its progress,
    and what it found (transfer.summary.Summary as JSON) for the preview page. The upload it
    reads stays until the import is done."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_uploads.id", ondelete="SET NULL")
    )
    filename: Mapped[str] = mapped_column(String(255))
    stage: Mapped[str] = mapped_column(String(16))  # preview, import
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    rows_expected: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ExportRow(db.Model):
    """A record's export row as rendered from one version of it, under one naming of the
    departments and city priorities (`stamp`): the CSV fields and the Inventory sheet's cells
    (the steward and version left out, since they depend on who reads), and its data.json
    entry (the time period apart, since an ongoing one runs up to the day of the export).
    Only ever a copy: an export uses a row only while its version and stamp are the record's
    and the city's, and renders the record afresh otherwise."""

    __tablename__ = "export_rows"

    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer)
    stamp: Mapped[str] = mapped_column(String(64))
    csv_head: Mapped[str] = mapped_column(Text)
    csv_tail: Mapped[str] = mapped_column(Text)
    cells: Mapped[str] = mapped_column(Text)
    entry: Mapped[str] = mapped_column(Text)
    temporal: Mapped[str | None] = mapped_column(String(100))


class ExportJob(db.Model):
    """An export prepared in the background (a large scope from the web): asked for by someone,
    written to a file under EXPORT_JOBS_DIR, offered to them once complete, and removed when it
    expires. A file is offered only once its job is `done`, which is recorded after the file is
    whole and in place, so a job whose process died is never offered half-written: it stays
    `running` until housekeeping finds its heartbeat stale and reports it failed."""

    __tablename__ = "export_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    format: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(String(16))
    as_of: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    rows_expected: Mapped[int] = mapped_column(Integer, default=0)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    filename: Mapped[str] = mapped_column(String(255))
    path: Mapped[str | None] = mapped_column(String(1000))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
