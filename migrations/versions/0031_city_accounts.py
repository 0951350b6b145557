"""Signing in with the city's account over OpenID Connect: the provider the coordinator sets up
(`identity_providers`, one row, its client secret sealed) and, on each person who signs in that
way, the provider and their subject there (`users.identity_issuer`, `users.identity_subject`).

Revision ID: 0031
Revises: 0030
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "identity_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("client_secret_sealed", sa.Text(), nullable=False),
        sa.Column("scopes", sa.String(length=255), nullable=False),
        sa.Column("groups_claim", sa.String(length=100), nullable=False),
        sa.Column("trust_email", sa.Boolean(), nullable=False),
        sa.Column("group_roles", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_providers")),
    )
    # Plain ALTER TABLE and a unique index: SQLite cannot rebuild `users` (a batch copy) while
    # other tables' foreign keys point at it.
    op.add_column("users", sa.Column("identity_issuer", sa.String(length=500), nullable=True))
    op.add_column("users", sa.Column("identity_subject", sa.String(length=255), nullable=True))
    op.create_index(
        "ix_users_identity", "users", ["identity_issuer", "identity_subject"], unique=True
    )


def downgrade():
    op.drop_index("ix_users_identity", table_name="users")
    op.execute("ALTER TABLE users DROP COLUMN identity_subject")
    op.execute("ALTER TABLE users DROP COLUMN identity_issuer")
    op.drop_table("identity_providers")
