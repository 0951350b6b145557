"""Reviews: committee settings (seeded with the policy defaults), votes, decisions, and each
dataset's review round and publication date.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    settings = op.create_table(
        "committee_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quorum", sa.Integer(), nullable=True),
        sa.Column("release_deadline_days", sa.Integer(), nullable=False),
        sa.Column("rereview_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_settings")),
    )
    # The policy's defaults: quorum a majority of members, release within 90 days of approval,
    # classification re-reviewed every 365 days.
    op.bulk_insert(
        settings,
        [
            {
                "id": 1,
                "quorum": None,
                "release_deadline_days": 90,
                "rereview_days": 365,
                "updated_at": datetime.now(UTC),
            }
        ],
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("review_round", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("classification", sa.String(length=16), nullable=False),
        sa.Column("access_level", sa.String(length=32), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=True),
        sa.Column("release_target_date", sa.Date(), nullable=True),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("minutes_reference", sa.String(length=200), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=True),
        sa.Column("tally", sa.JSON(), nullable=False),
        sa.Column("votes", sa.JSON(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_decisions_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_decisions_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint(
            "dataset_id", "review_round", name=op.f("uq_decisions_dataset_id_review_round")
        ),
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decisions_dataset_id"), ["dataset_id"], unique=False)

    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("review_round", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("vote", sa.String(length=32), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=True),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_votes_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(["member_id"], ["users.id"], name=op.f("fk_votes_member_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
        sa.UniqueConstraint(
            "dataset_id",
            "review_round",
            "member_id",
            name=op.f("uq_votes_dataset_id_review_round_member_id"),
        ),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_votes_dataset_id"), ["dataset_id"], unique=False)

    with op.batch_alter_table("datasets", schema=None) as batch_op:
        # Existing records have never been to the committee: round 0.
        batch_op.add_column(
            sa.Column("review_round", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("published_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.drop_column("published_on")
        batch_op.drop_column("review_round")

    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_votes_dataset_id"))

    op.drop_table("votes")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decisions_dataset_id"))

    op.drop_table("decisions")
    op.drop_table("committee_settings")
