"""What the coordinator settled and what the links said, on each portal dataset:
`portal_entries.settled` (differences kept on the registry's side, with the portal's value then),
`link_problem` and `links_checked_at` (the last check of its landing page and downloads, and
an index to find the entries whose check is oldest); and every day a portal said a record last
changed (`portal_updates`), so its freshness can be judged as of any day, filled here from
what the portals said last.

Revision ID: 0033
Revises: 0032
"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (SQLite adds columns in place; a batch would reflect and rebuild it).
    op.add_column("portal_entries", sa.Column("settled", sa.JSON(), nullable=True))
    op.add_column("portal_entries", sa.Column("link_problem", sa.Text(), nullable=True))
    op.add_column(
        "portal_entries", sa.Column("links_checked_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        op.f("ix_portal_entries_links_checked_at"), "portal_entries", ["links_checked_at"]
    )
    op.create_table(
        "portal_updates",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("modified", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_portal_updates_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", "modified", name=op.f("pk_portal_updates")),
    )
    op.execute(
        "INSERT INTO portal_updates (dataset_id, modified) SELECT DISTINCT dataset_id, modified "
        "FROM portal_entries WHERE dataset_id IS NOT NULL AND modified IS NOT NULL"
    )


def downgrade():
    op.drop_table("portal_updates")
    op.drop_index(op.f("ix_portal_entries_links_checked_at"), table_name="portal_entries")
    for column in ("links_checked_at", "link_problem", "settled"):
        op.drop_column("portal_entries", column)
