"""Performance measures under the city's priorities: `measures` (what is counted, unit,
direction, target and date, frequency, the department accountable; versioned for edits),
`measure_sources` (the records each is computed from), `measure_versions` (each change) and
`measure_values` (each period's value as reported; a correction closes the row it corrects, so
at most one row of a period is in force: a partial unique index). The queue's kept scores are
dropped, to be scored again with the measures' part.

Revision ID: 0035
Revises: 0034
"""

import sqlalchemy as sa
from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

IN_FORCE = sa.text("superseded_at IS NULL")


def upgrade():
    op.create_table(
        "measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.Column("frequency", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_measures_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["city_priorities.id"],
            name=op.f("fk_measures_priority_id_city_priorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measures")),
    )
    op.create_index(op.f("ix_measures_department_id"), "measures", ["department_id"])
    op.create_index(op.f("ix_measures_priority_id"), "measures", ["priority_id"])
    op.create_table(
        "measure_sources",
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_measure_sources_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["measures.id"],
            name=op.f("fk_measure_sources_measure_id_measures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("measure_id", "dataset_id", name=op.f("pk_measure_sources")),
    )
    op.create_index(op.f("ix_measure_sources_dataset_id"), "measure_sources", ["dataset_id"])
    op.create_table(
        "measure_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_by_label", sa.String(length=254), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_measure_versions_changed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_measure_versions_measure_id_measures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_versions")),
        sa.UniqueConstraint(
            "measure_id", "version", name=op.f("uq_measure_versions_measure_id_version")
        ),
    )
    op.create_index(op.f("ix_measure_versions_measure_id"), "measure_versions", ["measure_id"])
    op.create_table(
        "measure_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_by_id", sa.Integer(), nullable=True),
        sa.Column("reported_by_label", sa.String(length=254), nullable=False),
        sa.Column("corrects_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["corrects_id"],
            ["measure_values.id"],
            name=op.f("fk_measure_values_corrects_id_measure_values"),
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_measure_values_measure_id_measures")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["users.id"], name=op.f("fk_measure_values_reported_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_values")),
    )
    op.create_index(
        "ix_measure_values_measure_id_period", "measure_values", ["measure_id", "period"]
    )
    op.create_index(
        "uq_measure_values_in_force",
        "measure_values",
        ["measure_id", "period"],
        unique=True,
        sqlite_where=IN_FORCE,
        postgresql_where=IN_FORCE,
    )
    # The priority score gained a part (feeds measures) and its weights moved: the kept scores
    # are dropped, and housekeeping's next pass scores every candidate afresh.
    op.execute("DELETE FROM queue_scores")


def downgrade():
    op.drop_table("measure_values")
    op.drop_table("measure_versions")
    op.drop_table("measure_sources")
    op.drop_table("measures")
