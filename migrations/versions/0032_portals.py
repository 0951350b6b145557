"""The city's portals and what their last good reading found: `portal_sources` (a data.json,
CKAN's action API or Socrata's catalog API, read on a schedule) and `portal_entries` (each
portal dataset, matched to a record by identifier, landing page or title).

Revision ID: 0032
Revises: 0031
"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "portal_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("allow_private", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_count", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_good_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_sources")),
        sa.UniqueConstraint("url", name=op.f("uq_portal_sources_url")),
    )
    op.create_table(
        "portal_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=500), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("landing_page", sa.String(length=2000), nullable=True),
        sa.Column("license", sa.String(length=500), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("publisher", sa.String(length=300), nullable=True),
        sa.Column("modified", sa.Date(), nullable=True),
        sa.Column("downloads", sa.JSON(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.Column("matched_by", sa.String(length=16), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        sa.Column("late_from", sa.Date(), nullable=True),
        sa.Column("told_late_for", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["portal_sources.id"],
            name=op.f("fk_portal_entries_source_id_portal_sources"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_portal_entries_dataset_id_datasets"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_entries")),
        sa.UniqueConstraint(
            "source_id", "external_id", name=op.f("uq_portal_entries_source_id_external_id")
        ),
    )
    op.create_index(op.f("ix_portal_entries_dataset_id"), "portal_entries", ["dataset_id"])
    op.create_index(op.f("ix_portal_entries_late_from"), "portal_entries", ["late_from"])


def downgrade():
    op.drop_index(op.f("ix_portal_entries_late_from"), table_name="portal_entries")
    op.drop_index(op.f("ix_portal_entries_dataset_id"), table_name="portal_entries")
    op.drop_table("portal_entries")
    op.drop_table("portal_sources")
