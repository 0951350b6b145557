"""The dataset record, its themes, and the version kept for every change."""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.accounts.models import Department, User
from registry.datasets.vocab import (
    CLASSIFICATION_LEVELS,
    PRIORITY_ORDER,
    AccessLevel,
    Classification,
)
from registry.db import Unindexed, UTCDateTime, utcnow
from registry.extensions import db
from registry.performance.models import CityPriority
from registry.reviews.workflow import DECIDED_STATES, INITIAL_STATE, State


class DatasetTheme(db.Model):
    __tablename__ = "dataset_themes"

    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True
    )
    theme: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class Theme(db.Model):
    """One of the city's themes (its categories of data), a vocabulary the coordinator keeps;
    it starts as the registry's twelve (vocab.DEFAULT_THEMES)."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


dataset_city_priorities = Table(
    "dataset_city_priorities",
    db.Model.metadata,
    Column("dataset_id", ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True),
    Column("priority_id", ForeignKey("city_priorities.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_dataset_city_priorities_priority_id", "priority_id"),
)


# Indexes in the listing's "newest release" order (migration 0034): name, leading columns.
RELEASED_ORDER = (
    ("ix_datasets_released", ()),
    ("ix_datasets_status_released", ("status",)),
    ("ix_datasets_department_released", ("department_id",)),
    ("ix_datasets_department_status_released", ("department_id", "status")),
    ("ix_datasets_classification_released", ("classification",)),
)
# SQLite, which has no statistics, would read a level's index for every order of a level's
# records and sort them (130 to 190 ms at 300,000): it has none, but a partial index of the
# restricted level alone, which it reads only when a listing names that level (search._conditions
# writes the level into the statement) and sorts by release.
RELEASED_ORDER_ON_SQLITE = frozenset({"ix_datasets_released", "ix_datasets_department_released"})


class Dataset(db.Model):
    __tablename__ = "datasets"
    __table_args__ = (
        # Covers the grouped count behind the total and the facets, and department filters.
        Index(
            "ix_datasets_facets", "department_id", "status", "classification", "release_priority"
        ),
        # The list's default order, with its tie-break, read straight off the index.
        Index("ix_datasets_updated_at_id", "updated_at", "id"),
        # Each department's records changed since a moment, counted off the index alone.
        Index("ix_datasets_updated_at_department_id", "updated_at", "department_id"),
        Index("ix_datasets_title", "title"),
        # The published records (everything a visitor reads), or one department's in a status,
        # a page at a time in either order, without sorting all of them.
        Index("ix_datasets_status_updated_at_id", "status", "updated_at", "id"),
        Index("ix_datasets_status_title_id", "status", "title", "id"),
        Index(
            "ix_datasets_department_status_updated_at_id",
            "department_id",
            "status",
            "updated_at",
            "id",
        ),
        Index("ix_datasets_department_status_title_id", "department_id", "status", "title", "id"),
        # The newest records, and those by priority (high first), of one status (a visitor's:
        # the published), or one department's in a status, a page at a time.
        Index("ix_datasets_status_id", "status", "id"),
        Index("ix_datasets_department_status_id", "department_id", "status", "id"),
        Index("ix_datasets_status_priority", "status", text(f"({PRIORITY_ORDER})"), "title", "id"),
        Index(
            "ix_datasets_department_status_priority",
            "department_id",
            "status",
            text(f"({PRIORITY_ORDER})"),
            "title",
            "id",
        ),
        # One department's records in every status (as staff who read them all list them),
        # and every record by priority, a page at a time in each order.
        Index("ix_datasets_department_updated_at_id", "department_id", "updated_at", "id"),
        Index("ix_datasets_department_title_id", "department_id", "title", "id"),
        Index("ix_datasets_department_id", "department_id", "id"),
        Index(
            "ix_datasets_department_priority",
            "department_id",
            text(f"({PRIORITY_ORDER})"),
            "title",
            "id",
        ),
        Index("ix_datasets_priority", text(f"({PRIORITY_ORDER})"), "title", "id"),
        # The newest releases (the front page's), read off the index in release order.
        Index("ix_datasets_status_published_on_id", "status", "published_on", "id"),
        # The listing's "newest release" order (never-released last): every record's, a
        # status's (a visitor's), a department's, and in a status; and a level's (the
        # restricted are never released: read off the general index, they came last, after
        # every released record). PostgreSQL's ascending index read backwards puts the
        # never-released first; SQLite's puts them last, and has the status's already.
        *(
            Index(name, *columns, text("published_on DESC NULLS LAST"), text("id DESC")).ddl_if(
                dialect="postgresql"
            )
            for name, columns in RELEASED_ORDER
        ),
        *(
            Index(name, *columns, text("published_on DESC"), text("id DESC")).ddl_if(
                dialect="sqlite"
            )
            for name, columns in RELEASED_ORDER
            if name in RELEASED_ORDER_ON_SQLITE
        ),
        Index(
            "ix_datasets_restricted_released",
            text("published_on DESC"),
            text("id DESC"),
            sqlite_where=text("classification = 'restricted'"),
        ).ddl_if(dialect="sqlite"),
        # Approved records past their target date, in target-date order.
        # (and the work lists' order: by target date, then title, off the index)
        Index(
            "ix_datasets_status_release_target_date_title",
            "status",
            "release_target_date",
            "title",
        ),
        # Records in a re-review round (a coordinator's work list), in the work lists' order.
        Index(
            "ix_datasets_in_rereview",
            "release_target_date",
            "title",
            sqlite_where=text("proposed_governance IS NOT NULL"),
            postgresql_where=text("proposed_governance IS NOT NULL"),
        ),
        # What an import left for each department's stewards, in the work lists' order
        # (reviews.work.NEEDS_ATTENTION).
        Index(
            "ix_datasets_needing_attention",
            "department_id",
            "release_target_date",
            "title",
            sqlite_where=text("CAST(attention AS VARCHAR) != '[]'"),
            postgresql_where=text("CAST(attention AS VARCHAR) != '[]'"),
        ),
        # Decided records by the day they were last approved (re-reviews count from it).
        Index(
            "ix_datasets_approved_on_status",
            "approved_on",
            "status",
            sqlite_where=text("proposed_governance IS NULL"),
            postgresql_where=text("proposed_governance IS NULL"),
        ),
        # Exports read each department's records in identifier order, and what they need of
        # each (its kept row is found by version) from the index alone.
        Index(
            "ix_datasets_department_identifier",
            "department_id",
            "identifier",
            "version",
            "status",
            "classification",
            "steward_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(64), unique=True)
    # Description (POD names in comments where they differ)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)  # keyword
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))  # publisher
    contact_name: Mapped[str | None] = mapped_column(String(200))  # contactPoint.fn
    contact_email: Mapped[str | None] = mapped_column(String(254))  # contactPoint.hasEmail
    steward_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source_system: Mapped[str | None] = mapped_column(String(200))
    update_frequency: Mapped[str | None] = mapped_column(String(16))  # accrualPeriodicity
    temporal: Mapped[str | None] = mapped_column(String(100))
    spatial: Mapped[str | None] = mapped_column(String(300))
    formats: Mapped[list[str]] = mapped_column(JSON, default=list)
    record_count: Mapped[int | None] = mapped_column(BigInteger)
    landing_page: Mapped[str | None] = mapped_column(String(500))  # landingPage
    data_dictionary: Mapped[str | None] = mapped_column(String(500))  # describedBy
    # The data dictionary entered on the record: each column's name, type and description.
    data_columns: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    license: Mapped[str | None] = mapped_column(String(500))
    language: Mapped[list[str]] = mapped_column(JSON, default=list)
    distributions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    issued: Mapped[date | None] = mapped_column(Date)
    modified: Mapped[date | None] = mapped_column(Date)
    # Governance
    classification: Mapped[str] = mapped_column(String(16))
    contains_pii: Mapped[bool] = mapped_column(Boolean, default=False)
    pii_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    access_level: Mapped[str] = mapped_column(String(32))  # accessLevel
    rights: Mapped[str | None] = mapped_column(String(255))
    release_priority: Mapped[str] = mapped_column(String(8), default="medium")
    release_target_date: Mapped[date | None] = mapped_column(Date)
    # What a city's own inventory said that has no field here, under the file's own headers:
    # kept with the record, versioned, searchable, and written back out (nothing is lost).
    additional_fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # What its steward must look at: "classification" while the level is to confirm (the record
    # is read as restricted meanwhile), and notes on values an import could not read.
    attention: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Review: each submission to the committee opens a new round; publication is dated.
    review_round: Mapped[int] = mapped_column(Integer, default=0)
    # A change to the governance fields of a decided record, before the committee in a
    # re-review round; null when no re-review is open. The fields above stay in force meanwhile.
    proposed_governance: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    published_on: Mapped[date | None] = mapped_column(Date)
    # The day the committee last approved the governance in force (re-reviews count from it).
    approved_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32), default=str(INITIAL_STATE))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    department: Mapped[Department] = relationship(lazy="joined")
    steward: Mapped[User | None] = relationship(lazy="joined")
    theme_rows: Mapped[list[DatasetTheme]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=DatasetTheme.theme
    )
    supports: Mapped[list[CityPriority]] = relationship(
        secondary=dataset_city_priorities, lazy="selectin", order_by=CityPriority.position
    )

    # UPDATE ... WHERE version = :seen, so two writers can never both succeed.
    __mapper_args__ = {"version_id_col": version}

    @property
    def themes(self) -> list[str]:
        return [row.theme for row in self.theme_rows]

    @property
    def city_priorities(self) -> list[str]:
        return [priority.name for priority in self.supports]

    @property
    def level(self) -> int:
        return CLASSIFICATION_LEVELS[Classification(self.classification)]

    # Derived statuses, each defined once beside its SQL twin (tests/datasets/test_derived.py
    # checks that the two agree on every kind of record).

    @hybrid_method
    def is_overdue(self, today: date) -> bool:
        """Approved, not yet published, and past its release target date."""
        return (
            self.status == State.APPROVED
            and self.release_target_date is not None
            and today > self.release_target_date
        )

    @is_overdue.expression
    def is_overdue(cls, today: date):
        return (
            (cls.status == str(State.APPROVED))
            & cls.release_target_date.is_not(None)
            & (cls.release_target_date < today)
        )

    @hybrid_property
    def published_late(self) -> bool:
        """Published after its release target date."""
        return (
            self.published_on is not None
            and self.release_target_date is not None
            and self.published_on > self.release_target_date
        )

    @published_late.expression
    def published_late(cls):
        return cls.published_on > cls.release_target_date

    @hybrid_property
    def published_on_time(self) -> bool:
        """Published, by its release target date (or with none set)."""
        return self.published_on is not None and not self.published_late

    @published_on_time.expression
    def published_on_time(cls):
        return cls.published_on.is_not(None) & (
            cls.release_target_date.is_(None) | (cls.published_on <= cls.release_target_date)
        )

    @hybrid_method
    def is_due_for_rereview(self, today: date, interval_days: int) -> bool:
        """Released or releasable, no re-review open, last approved longer ago than the
        interval."""
        return (
            self.status in DECIDED_STATES
            and self.proposed_governance is None
            and self.approved_on is not None
            and (today - self.approved_on).days > interval_days
        )

    @is_due_for_rereview.expression
    def is_due_for_rereview(cls, today: date, interval_days: int):
        return (
            Unindexed(cls.status).in_(DECIDED_STATES)
            & cls.proposed_governance.is_(None)
            & cls.approved_on.is_not(None)
            & (cls.approved_on < today - timedelta(days=interval_days))
        )

    @hybrid_property
    def metadata_complete(self) -> bool:
        """The POD v1.1 fields a public record needs are filled in: description, keywords,
        contact point (name and email), update frequency (accrualPeriodicity) and license, and
        the legal basis (rights) when access is not public."""
        return bool(
            self.description
            and self.keywords
            and self.contact_name
            and self.contact_email
            and self.update_frequency
            and self.license
            and (self.access_level == AccessLevel.PUBLIC or self.rights)
        )

    @metadata_complete.expression
    def metadata_complete(cls):
        def filled(column):
            return column.is_not(None) & (column != "")

        return (
            filled(cls.description)
            & (func.json_array_length(cls.keywords) > 0)
            & filled(cls.contact_name)
            & filled(cls.contact_email)
            & filled(cls.update_frequency)
            & filled(cls.license)
            & ((cls.access_level == str(AccessLevel.PUBLIC)) | filled(cls.rights))
        )

    @hybrid_method
    def updated_since(self, moment: datetime) -> bool:
        return self.updated_at >= moment

    @updated_since.expression
    def updated_since(cls, moment: datetime):
        return cls.updated_at >= moment

    def age_days(self, today: date) -> int:
        """Days since the record last changed."""
        return (today - self.updated_at.date()).days

    def __repr__(self) -> str:
        return f"<Dataset {self.identifier}>"


class DatasetVersion(db.Model):
    """The whole record as it stood after one change, and what that change altered."""

    __tablename__ = "dataset_versions"
    __table_args__ = (
        UniqueConstraint("dataset_id", "version"),
        # as_of: each record's latest version up to a moment.
        Index("ix_dataset_versions_dataset_id_changed_at", "dataset_id", "changed_at"),
        # The report's retirements in a year: the retire steps in order of when they were taken.
        Index("ix_dataset_versions_action_changed_at", "action", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_by_label: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(32))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # What the person taking a workflow step said: a submission note, a rationale.
    note: Mapped[str | None] = mapped_column(Text)
    # What the record was at that version, for reading it as of a date through the same
    # visibility rule as the record itself: the classification in force (a proposal is in the
    # snapshot), status and department.
    classification: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
