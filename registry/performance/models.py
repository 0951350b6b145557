"""The city's strategic priorities (a short list the coordinator keeps), and the measures the
city tracks under them with each period's value. The inventory cites priorities, as it cites
departments, so nothing here imports the inventory (a measure names its records by key)."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
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

from registry.accounts.models import Department
from registry.db import UTCDateTime, utcnow
from registry.extensions import db


class CityPriority(db.Model):
    """One of the city's strategic priorities (a short list the coordinator keeps, such as
    "Safe neighbourhoods"), which a record may say it supports."""

    __tablename__ = "city_priorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Measure(db.Model):
    """What the city measures under one of its priorities: what it counts, in what unit, which
    way is better, the target and its date, how often it is reported, the department
    accountable, and the records it is computed from (MeasureSource)."""

    __tablename__ = "measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(ForeignKey("city_priorities.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    counts: Mapped[str] = mapped_column(Text)  # what is counted, in words
    unit: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(8))  # rules.Direction
    target: Mapped[float] = mapped_column(Float)
    target_date: Mapped[date] = mapped_column(Date)
    frequency: Mapped[str] = mapped_column(String(12))  # rules.Frequency
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    priority: Mapped[CityPriority] = relationship()
    department: Mapped[Department] = relationship()
    sources: Mapped[list["MeasureSource"]] = relationship(
        back_populates="measure", cascade="all, delete-orphan", order_by="MeasureSource.dataset_id"
    )

    __mapper_args__ = {"version_id_col": version}


class MeasureSource(db.Model):
    """A record a measure is computed from (whatever its level: the public is told only how
    many it may not read)."""

    __tablename__ = "measure_sources"

    measure_id: Mapped[int] = mapped_column(
        ForeignKey("measures.id", ondelete="CASCADE"), primary_key=True
    )
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), primary_key=True, index=True)

    measure: Mapped[Measure] = relationship(back_populates="sources")


class MeasureVersion(db.Model):
    """The measure as it stood after one change, and what that change altered."""

    __tablename__ = "measure_versions"
    __table_args__ = (UniqueConstraint("measure_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_by_label: Mapped[str] = mapped_column(String(254))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MeasureValue(db.Model):
    """One period's value as reported. A correction never replaces a row: it closes it
    (superseded_at) and adds the new one with its reason, so what the page said on any day can be
    read again. At most one row of a period is in force (the partial unique index)."""

    __tablename__ = "measure_values"
    __table_args__ = (
        Index(
            "uq_measure_values_in_force",
            "measure_id",
            "period",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
        Index("ix_measure_values_measure_id_period", "measure_id", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"))
    period: Mapped[date] = mapped_column(Date)  # the first day of the period
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reported_by_label: Mapped[str] = mapped_column(String(254))
    # A correction: the row it corrects, and why.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("measure_values.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StockTake(db.Model):
    """A department's monthly stock-take meeting: its agenda is computed (open follow-ups
    first, then measures off track or without data, then late datasets); what it records is
    its notes and follow-ups per measure."""

    __tablename__ = "stock_takes"
    __table_args__ = (UniqueConstraint("department_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the meeting's month
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    department: Mapped[Department] = relationship()
    notes: Mapped[list["StockTakeNote"]] = relationship(
        back_populates="stock_take",
        cascade="all, delete-orphan",
        order_by="StockTakeNote.id",
        foreign_keys="StockTakeNote.stock_take_id",
    )


class StockTakeNote(db.Model):
    """What a stock-take said of one measure, and the follow-up it asked for, if any (open
    until a later stock-take closes it)."""

    __tablename__ = "stock_take_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    stock_take_id: Mapped[int] = mapped_column(ForeignKey("stock_takes.id"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)
    follow_up_by: Mapped[date | None] = mapped_column(Date)
    closed_in_id: Mapped[int | None] = mapped_column(ForeignKey("stock_takes.id"))

    stock_take: Mapped[StockTake] = relationship(
        back_populates="notes", foreign_keys=[stock_take_id]
    )
    measure: Mapped[Measure] = relationship()
