"""The audit log as a file an auditor takes away (CSV or JSON Lines), oldest event first, each
with its sentence, payload and hashes, and the file's SHA-256, so that what was taken can be
checked later against the log and the audit event of the export itself."""

import csv
import hashlib
import io
import json
import tempfile
from dataclasses import dataclass
from typing import IO

from registry.audit.schemas import AuditEventOut
from registry.audit.services import EventFilter, event_query
from registry.audit.words import describe
from registry.cells import for_csv
from registry.extensions import db

EXPORT_FORMATS = {"csv": "text/csv", "jsonl": "application/jsonl"}
CSV_COLUMNS = (
    "seq",
    "occurred_at",
    "actor",
    "sentence",
    "tag",
    "subject_type",
    "subject_id",
    "payload",
    "hash",
    "prev_hash",
)


@dataclass
class Written:
    file: IO[bytes]  # at its start
    sha256: str
    events: int


def _csv_row(line) -> list:
    event = line.event
    return [
        event.seq,
        event.occurred_at.isoformat(),
        for_csv(event.actor_label),
        for_csv(line.sentence),
        event.tag,
        event.subject_type or "",
        for_csv(event.subject_id or ""),
        for_csv(json.dumps(event.payload, ensure_ascii=False, sort_keys=True)),
        event.hash,
        event.prev_hash,
    ]


def write_log(criteria: EventFilter, reader, extension: str) -> Written:
    """Streams the selected events into a spooled file (memory, then disk past 8 MB) in
    batches, so a long log neither waits on nor holds every event."""
    query = event_query(criteria).order_by(None).order_by("seq")
    # Handed to the response, which closes it once sent.
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    writer = csv.writer(text) if extension == "csv" else None
    if writer is not None:
        writer.writerow(CSV_COLUMNS)
    schema, count = AuditEventOut(), 0
    for batch in db.session.scalars(query.execution_options(yield_per=2000)).partitions():
        for line in describe(batch, reader):
            count += 1
            if writer is not None:
                writer.writerow(_csv_row(line))
            else:
                body = {**schema.dump(line.event), "sentence": line.sentence}
                text.write(json.dumps(body, ensure_ascii=False, sort_keys=True) + "\n")
    text.flush()
    text.detach()
    spool.seek(0)
    digest = hashlib.sha256()
    for block in iter(lambda: spool.read(1 << 20), b""):
        digest.update(block)
    spool.seek(0)
    return Written(spool, digest.hexdigest(), count)
