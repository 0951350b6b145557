"""Checkpoints: the audit chain's head, signed with a key that is not in the database, kept
outside it (a file an auditor holds, the public head page, each export) so that even someone who
can write to the database cannot rewrite the log unseen.

A checkpoint names the sequence number and hash of the newest event when it was taken. A log
still extends it only if that event is there with that hash and the chain verifies from the
first event to the head: an altered or deleted event before it changes the hash at that
sequence number (every later hash depends on it), and a truncated log no longer reaches it.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from registry.audit.models import AuditChainHead, AuditEvent
from registry.audit.services import ChainReport, verify_chain
from registry.db import utcnow
from registry.extensions import db

FORMAT = "registry-audit-checkpoint/1"


def checkpoint_key() -> bytes:
    """AUDIT_CHECKPOINT_KEY if set (give it to the auditors, never to database administrators);
    otherwise one derived from the SECRET_KEY, which is not in the database either."""
    configured = current_app.config.get("AUDIT_CHECKPOINT_KEY")
    if configured:
        return str(configured).encode()
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"registry audit checkpoint", hashlib.sha256).digest()


def _signature(body: dict[str, Any], key: bytes) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str
    at: datetime


def current_head() -> Head:
    head = db.session.get(AuditChainHead, 1)
    return Head(head.seq, head.hash, utcnow())


def take_checkpoint() -> dict[str, Any]:
    head = current_head()
    body = {
        "format": FORMAT,
        "seq": head.seq,
        "hash": head.hash,
        "taken_at": head.at.isoformat(timespec="seconds"),
    }
    return {**body, "signature": _signature(body, checkpoint_key())}


def verify_against(checkpoint: dict[str, Any]) -> ChainReport:
    """Whether the log is intact and still extends the checkpoint."""
    body = {key: checkpoint.get(key) for key in ("format", "seq", "hash", "taken_at")}
    signature = str(checkpoint.get("signature", ""))
    if body["format"] != FORMAT or not hmac.compare_digest(
        signature, _signature(body, checkpoint_key())
    ):
        return ChainReport(
            0,
            None,
            "the checkpoint's signature does not match: it was altered, or signed with another key",
        )
    report = verify_chain()
    if not report.ok:
        return report
    seq = int(body["seq"])
    if seq == 0:
        return report
    stored = db.session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == seq))
    if stored is None:
        return ChainReport(
            report.checked,
            seq,
            f"the log ends before event {seq}, which the checkpoint of {body['taken_at']} saw: "
            "events were removed",
        )
    if stored != body["hash"]:
        return ChainReport(
            report.checked,
            seq,
            f"event {seq} is not the one the checkpoint of {body['taken_at']} saw: the log "
            "was rewritten up to there",
        )
    return report
