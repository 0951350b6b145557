"""The committee's meetings (when, who attended, where the minutes are, the agenda), and the
reasons on record for late releases.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("minutes_url", sa.String(length=500), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("agenda", sa.JSON(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_meetings_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("held_on", name=op.f("uq_meetings_held_on")),
    )
    op.create_table(
        "release_delays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_release_delays_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_release_delays_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_release_delays")),
    )
    with op.batch_alter_table("release_delays", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_release_delays_dataset_id"), ["dataset_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("release_delays", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_release_delays_dataset_id"))

    op.drop_table("release_delays")
    op.drop_table("meetings")
