"""The stakeholder group's voting rounds and ballots, data requests from the public, the
committee's assessments against the five criteria, coordinators' overrides of a score, and the
program's settings (request clocks, public requests)."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.accounts.models import User
from registry.datasets.models import Dataset
from registry.db import UTCDateTime, utcnow
from registry.extensions import db


class ProgramSettings(db.Model):
    """One row: the open data policy's clocks for data requests, and who may make one."""

    __tablename__ = "program_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    acknowledge_days: Mapped[int] = mapped_column(Integer, default=14)
    answer_days: Mapped[int] = mapped_column(Integer, default=60)
    public_requests: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class VotingRound(db.Model):
    """A round of stakeholder votes on what to release first. Open from `opens_at` until
    `closes_at` (or until a coordinator closes it early); its tallies are public once closed."""

    __tablename__ = "voting_rounds"
    __table_args__ = (
        CheckConstraint("budget > 0", name="budget_positive"),
        CheckConstraint("max_per_item > 0", name="max_per_item_positive"),
        CheckConstraint("closes_at > opens_at", name="closes_after_it_opens"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    budget: Mapped[int] = mapped_column(Integer, default=10)
    max_per_item: Mapped[int] = mapped_column(Integer, default=3)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A coordinator may close it before its time; otherwise it closes at closes_at by itself.
    closed_early_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the stakeholders were told it opened, and that its results are out (each once).
    opening_announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    results_announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the queue's scores took its closing into account (priorities.standings).
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def closes(self) -> datetime:
        return min(self.closes_at, self.closed_early_at or self.closes_at)

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes()

    def is_closed(self, now: datetime) -> bool:
        return now >= self.closes()


class Ballot(db.Model):
    """A stakeholder's votes in one round: the row their changes lock, and the budget the
    database itself holds them to."""

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("round_id", "voter_id"),
        CheckConstraint("spent >= 0 AND spent <= budget", name="within_budget"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_rounds.id", ondelete="CASCADE"))
    voter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    budget: Mapped[int] = mapped_column(Integer)
    spent: Mapped[int] = mapped_column(Integer, default=0)


class RoundVote(db.Model):
    """Votes a stakeholder gave one candidate in a round: a record or an open data request."""

    __tablename__ = "round_votes"
    __table_args__ = (
        CheckConstraint("votes > 0 AND votes <= max_per_item", name="within_item_maximum"),
        CheckConstraint("(dataset_id IS NULL) <> (request_id IS NULL)", name="one_candidate"),
        Index("ix_round_votes_round_id_dataset_id", "round_id", "dataset_id"),
        Index("ix_round_votes_round_id_request_id", "round_id", "request_id"),
        # One row per candidate on a ballot (NULLs are never equal, so one index each).
        Index(
            "uq_round_votes_ballot_id_dataset_id",
            "ballot_id",
            "dataset_id",
            unique=True,
            sqlite_where=text("dataset_id IS NOT NULL"),
            postgresql_where=text("dataset_id IS NOT NULL"),
        ),
        Index(
            "uq_round_votes_ballot_id_request_id",
            "ballot_id",
            "request_id",
            unique=True,
            sqlite_where=text("request_id IS NOT NULL"),
            postgresql_where=text("request_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_rounds.id", ondelete="CASCADE"))
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("data_requests.id"))
    votes: Mapped[int] = mapped_column(Integer)
    max_per_item: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class DataRequest(db.Model):
    """Someone asking for data the city may hold. The policy's clocks run from `created_at`:
    acknowledged within ProgramSettings.acknowledge_days, answered (a record planned for it, or
    declined with a reason) within answer_days."""

    __tablename__ = "data_requests"
    __table_args__ = (
        # Newest first, all of them or of one status, a page at a time off the index (the
        # requests page sorted 15,000 requests for each page: 44 ms).
        Index("ix_data_requests_created_at_id", "created_at", "id"),
        Index("ix_data_requests_status_created_at_id", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    why: Mapped[str | None] = mapped_column(Text)  # why it would be useful
    requester_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Someone without an account: where to tell them (never shown to the public).
    requester_email: Mapped[str | None] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16), default="received")
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"))
    response: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    requester: Mapped[User | None] = relationship(lazy="joined")
    dataset: Mapped[Dataset | None] = relationship(lazy="joined")


class Assessment(db.Model):
    """A committee member's assessment of a record against the five criteria of NYC's open data
    law, 0 to 3 each; the priority score uses the members' average."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("dataset_id", "member_id"),
        *(
            CheckConstraint(f"{name} BETWEEN 0 AND 3", name=f"{name}_in_range")
            for name in (
                "accountability",
                "public_knowledge",
                "department_mission",
                "economic_opportunity",
                "public_demand",
            )
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    accountability: Mapped[int] = mapped_column(Integer)
    public_knowledge: Mapped[int] = mapped_column(Integer)
    department_mission: Mapped[int] = mapped_column(Integer)
    economic_opportunity: Mapped[int] = mapped_column(Integer)
    public_demand: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ScoreOverride(db.Model):
    """A coordinator's score for a record in place of the formula's, with the reason (shown on
    the release queue). The newest one stands; removing it is an override to None."""

    __tablename__ = "score_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    score: Mapped[float | None] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class QueueScore(db.Model):
    """A candidate's place in the release queue: its score and the parts that make it, kept by
    priorities.standings in the same transaction as whatever moves them. Only candidates (levels
    1 to 3, not yet published) have a row. The queue reads straight off an index in its order:
    the score downwards (`rank_key` is the score negated, so one ascending index serves), then
    the release target date (none last), then the title."""

    __tablename__ = "queue_scores"
    __table_args__ = (
        Index("ix_queue_scores_order", "rank_key", "target", "title", "dataset_id"),
        Index(
            "ix_queue_scores_department_order",
            "department_id",
            "rank_key",
            "target",
            "title",
            "dataset_id",
        ),
        Index(
            "ix_queue_scores_status_order", "status", "rank_key", "target", "title", "dataset_id"
        ),
        Index("ix_queue_scores_decays_scored_on", "decays", "scored_on"),
    )

    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    )
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    status: Mapped[str] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float)  # the override's when one stands
    formula: Mapped[float] = mapped_column(Float)
    rank_key: Mapped[float] = mapped_column(Float)
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    override_id: Mapped[int | None] = mapped_column(ForeignKey("score_overrides.id"))
    target: Mapped[date] = mapped_column(Date)  # the release target date; date.max for none
    title: Mapped[str] = mapped_column(String(300))
    # Votes of a closed round count less each day, so its score moves with time alone.
    decays: Mapped[bool] = mapped_column(Boolean)
    scored_on: Mapped[date] = mapped_column(Date)
