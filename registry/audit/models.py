"""The audit event table, the one-row head of its hash chain, and the verifications of the log
that auditors run from the browser."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import UTCDateTime, utcnow
from registry.extensions import db

GENESIS_HASH = "0" * 64


class AuditEvent(db.Model):
    """One event. Rows are only ever inserted; `hash` covers every other column and `prev_hash`."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject", "subject_type", "subject_id"),
        Index("ix_audit_events_tag", "tag"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(254))
    tag: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    address: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(db.Model):
    """The chain's tip. Writers lock this row, so events get consecutive seqs in commit order,
    and a verifier can tell a truncated tail from a complete chain."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


class VerificationRun(db.Model):
    """One verification of the whole log (audit.verification), asked for from the browser and
    run in the background: its progress step by step, the checkpoint it compared against (if
    the auditor gave one), and what it found. Written by the job as it goes."""

    __tablename__ = "audit_verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    requested_by: Mapped[str] = mapped_column(String(254))  # their email, as events name them
    status: Mapped[str] = mapped_column(String(16), default="queued")
    step: Mapped[str | None] = mapped_column(String(200))
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    checkpoint_name: Mapped[str | None] = mapped_column(String(255))
    checked: Mapped[int] = mapped_column(BigInteger, default=0)
    head_seq: Mapped[int | None] = mapped_column(BigInteger)
    head_hash: Mapped[str | None] = mapped_column(String(64))
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    confirmed: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
