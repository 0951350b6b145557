"""A portal the city publishes on (its data.json, CKAN's action API or Socrata's catalog API),
and what its last good reading found: one row per portal dataset, matched to a record."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.db import UTCDateTime, utcnow
from registry.extensions import db

KINDS = {
    "datajson": "A data.json catalog (DCAT-US v1.1: Socrata, CKAN, ArcGIS Hub, DKAN)",
    "ckan": "CKAN's action API (package_search)",
    "socrata": "Socrata's catalog API (Discovery API)",
}


class PortalSource(db.Model):
    __tablename__ = "portal_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(500), unique=True)
    # Whether addresses on private networks (10.x, 192.168.x, the machine itself) may be read:
    # off unless the coordinator says the portal lives on the city's own network.
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last reading's outcome: how many datasets it found, or why it failed (a failed
    # reading changes nothing of what the last good one found).
    last_count: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_good_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entries: Mapped[list["PortalEntry"]] = relationship(
        back_populates="source", cascade="all, delete-orphan", passive_deletes=True
    )


class PortalEntry(db.Model):
    """One dataset as the portal last described it, and the record it is (when matched)."""

    __tablename__ = "portal_entries"
    __table_args__ = (UniqueConstraint("source_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("portal_sources.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    landing_page: Mapped[str | None] = mapped_column(String(2000))
    license: Mapped[str | None] = mapped_column(String(500))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    publisher: Mapped[str | None] = mapped_column(String(300))
    modified: Mapped[date | None] = mapped_column(Date)
    downloads: Mapped[list[str]] = mapped_column(JSON, default=list)
    dataset_id: Mapped[int | None] = mapped_column(
        ForeignKey("datasets.id", ondelete="SET NULL"), index=True
    )
    # How it was matched: identifier, landing page, title (uncertain: the coordinator confirms
    # it once), or confirmed; a confirmed match or refusal is kept across readings.
    matched_by: Mapped[str | None] = mapped_column(String(16))
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The first day the matched record counts as overdue (portal.freshness: its last change,
    # its period and grace), set at each reading, so lists find late records by index; and
    # the last change its stewards were told was late about (told once per lateness).
    late_from: Mapped[date | None] = mapped_column(Date, index=True)
    told_late_for: Mapped[date | None] = mapped_column(Date)
    # Differences the coordinator settled for the registry's side: each field with the portal's
    # value then, so the difference is not shown again until the portal's value changes.
    settled: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # The last check of its landing page and downloads (portal.links): what answered an error,
    # in words, or None when every link answered.
    link_problem: Mapped[str | None] = mapped_column(Text)
    links_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    source: Mapped[PortalSource] = relationship(back_populates="entries")
    dataset = relationship("Dataset")


class PortalUpdate(db.Model):
    """A day a portal said a record last changed: every one seen is kept, so the record's last
    change as of any day is the latest of them up to that day (portal.history)."""

    __tablename__ = "portal_updates"

    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    )
    modified: Mapped[date] = mapped_column(Date, primary_key=True)
