"""What the coordinator settled and what the links said, on each portal dataset:
`portal_entries.settled` (differences kept on the registry's side, with the portal's value then),
`link_problem` and `links_checked_at` (the last check of its landing page and downloads, and
an index to find the entries whose check is oldest).

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


def downgrade():
    op.drop_index(op.f("ix_portal_entries_links_checked_at"), table_name="portal_entries")
    for column in ("links_checked_at", "link_problem", "settled"):
        op.drop_column("portal_entries", column)
