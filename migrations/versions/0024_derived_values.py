"""Derived values kept where they change (registry.derived): the release queue's scores (each
candidate's score, its parts and what orders the queue, read off an index instead of computed
on every read) and when the queue counted each voting round's closing; each record's kind and
how many records are of each kind (the dashboard's counts) and how many released records carry
each theme (the front page's); an index that counts each
department's records changed since a moment, one that reads the newest releases, and those
that read the work lists a page at a time in their order, and the report's retirements; the
generation that kept answers are kept with.

Existing records are scored and counted by the next housekeeping pass (`registry
housekeeping` does it at once), since both read the app's rules.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("voting_rounds") as batch:
        batch.add_column(sa.Column("counted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "queue_scores",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("formula", sa.Float(), nullable=False),
        sa.Column("rank_key", sa.Float(), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("override_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("decays", sa.Boolean(), nullable=False),
        sa.Column("scored_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_queue_scores_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_queue_scores_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["override_id"],
            ["score_overrides.id"],
            name=op.f("fk_queue_scores_override_id_score_overrides"),
        ),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_queue_scores")),
    )
    op.create_index(
        "ix_queue_scores_order", "queue_scores", ["rank_key", "target", "title", "dataset_id"]
    )
    op.create_index(
        "ix_queue_scores_department_order",
        "queue_scores",
        ["department_id", "rank_key", "target", "title", "dataset_id"],
    )
    op.create_index(
        "ix_queue_scores_status_order",
        "queue_scores",
        ["status", "rank_key", "target", "title", "dataset_id"],
    )
    op.create_index("ix_queue_scores_decays_scored_on", "queue_scores", ["decays", "scored_on"])
    op.create_table(
        "record_kinds",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("classification", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("released", sa.String(length=7), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_record_kinds_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_record_kinds")),
    )
    op.create_table(
        "kind_counts",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("classification", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("released", sa.String(length=7), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "department_id",
            "classification",
            "status",
            "released",
            "on_time",
            "late",
            "complete",
            name=op.f("pk_kind_counts"),
        ),
    )
    op.create_table(
        "released_theme_counts",
        sa.Column("theme", sa.String(length=100), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("theme", name=op.f("pk_released_theme_counts")),
    )
    op.create_index(
        "ix_datasets_updated_at_department_id", "datasets", ["updated_at", "department_id"]
    )
    op.create_index(
        "ix_datasets_status_published_on_id", "datasets", ["status", "published_on", "id"]
    )
    # The work lists read a page in their order (target date, then title) off an index.
    op.drop_index("ix_datasets_status_release_target_date", table_name="datasets")
    op.create_index(
        "ix_datasets_status_release_target_date_title",
        "datasets",
        ["status", "release_target_date", "title"],
    )
    op.create_index(
        "ix_datasets_in_rereview",
        "datasets",
        ["release_target_date", "title"],
        sqlite_where=sa.text("proposed_governance IS NOT NULL"),
        postgresql_where=sa.text("proposed_governance IS NOT NULL"),
    )
    op.create_index(
        "ix_datasets_approved_on_status",
        "datasets",
        ["approved_on", "status"],
        sqlite_where=sa.text("proposed_governance IS NULL"),
        postgresql_where=sa.text("proposed_governance IS NULL"),
    )
    op.create_index(
        "ix_dataset_versions_action_changed_at", "dataset_versions", ["action", "changed_at"]
    )
    generations = op.create_table(
        "generations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_generations")),
    )
    op.bulk_insert(generations, [{"id": 1, "value": 0}])


def downgrade():
    op.drop_table("generations")
    op.drop_index("ix_dataset_versions_action_changed_at", table_name="dataset_versions")
    op.drop_index("ix_datasets_approved_on_status", table_name="datasets")
    op.drop_index("ix_datasets_in_rereview", table_name="datasets")
    op.drop_index("ix_datasets_status_release_target_date_title", table_name="datasets")
    op.create_index(
        "ix_datasets_status_release_target_date", "datasets", ["status", "release_target_date"]
    )
    op.drop_index("ix_datasets_status_published_on_id", table_name="datasets")
    op.drop_index("ix_datasets_updated_at_department_id", table_name="datasets")
    op.drop_table("released_theme_counts")
    op.drop_table("kind_counts")
    op.drop_table("record_kinds")
    op.drop_table("queue_scores")
    with op.batch_alter_table("voting_rounds") as batch:
        batch.drop_column("counted_at")
