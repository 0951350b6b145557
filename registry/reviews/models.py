"""The committee's settings, its members' votes, and the decisions it records."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.accounts.models import User
from registry.db import UTCDateTime, utcnow
from registry.extensions import db


class CommitteeSettings(db.Model):
    """One row. A null quorum means a majority of the active committee members."""

    __tablename__ = "committee_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    quorum: Mapped[int | None] = mapped_column(Integer)
    release_deadline_days: Mapped[int] = mapped_column(Integer, default=90)
    rereview_days: Mapped[int] = mapped_column(Integer, default=365)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Vote(db.Model):
    """A member's current vote in one review round; it may change until the decision falls."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("dataset_id", "review_round", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    review_round: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    vote: Mapped[str] = mapped_column(String(32))
    rationale: Mapped[str] = mapped_column(Text)
    conditions: Mapped[str | None] = mapped_column(Text)
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    member: Mapped[User] = relationship(lazy="joined")


class Decision(db.Model):
    """The committee's decision in one round. Written once, never edited: the unique round also
    makes two concurrent votes unable to record two decisions."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("dataset_id", "review_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    review_round: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(32))
    classification: Mapped[str] = mapped_column(String(16))
    access_level: Mapped[str] = mapped_column(String(32))
    # The legal basis for any restriction that stands after the decision.
    rights: Mapped[str | None] = mapped_column(String(255))
    conditions: Mapped[str | None] = mapped_column(Text)
    release_target_date: Mapped[date | None] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(16))  # "votes" or "chair"
    minutes_reference: Mapped[str | None] = mapped_column(String(200))
    rationale: Mapped[str | None] = mapped_column(Text)
    tally: Mapped[dict[str, Any]] = mapped_column(JSON)
    votes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # A re-review round's question: the governance in force and the change proposed to it.
    proposal: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship(lazy="joined")


class Meeting(db.Model):
    """A meeting of the governance committee, recorded by its chair or the coordinator: when,
    who attended, where its minutes are, and its agenda (what awaited the committee when it was
    recorded). Decisions a chair recorded on its day cite it."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(Date, unique=True)
    attendees: Mapped[str] = mapped_column(Text)
    minutes_url: Mapped[str | None] = mapped_column(String(500))
    summary: Mapped[str | None] = mapped_column(Text)
    agenda: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReleaseDelay(db.Model):
    """Why an approved release is late, as its department or the coordinator put it on record
    (the release plan shows the newest)."""

    __tablename__ = "release_delays"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    expected_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
