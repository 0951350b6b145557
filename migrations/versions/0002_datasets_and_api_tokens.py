"""Datasets (record, themes, versions), personal API tokens, and full-text search.

The search table is per dialect and outside the models: an FTS5 table on SQLite, a tsvector
table with a GIN index on PostgreSQL (registry.datasets.search keeps it current).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "datasets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("steward_id", sa.Integer(), nullable=True),
        sa.Column("source_system", sa.String(length=200), nullable=True),
        sa.Column("update_frequency", sa.String(length=16), nullable=True),
        sa.Column("temporal", sa.String(length=100), nullable=True),
        sa.Column("spatial", sa.String(length=300), nullable=True),
        sa.Column("formats", sa.JSON(), nullable=False),
        sa.Column("record_count", sa.BigInteger(), nullable=True),
        sa.Column("landing_page", sa.String(length=500), nullable=True),
        sa.Column("data_dictionary", sa.String(length=500), nullable=True),
        sa.Column("license", sa.String(length=500), nullable=True),
        sa.Column("language", sa.JSON(), nullable=False),
        sa.Column("distributions", sa.JSON(), nullable=False),
        sa.Column("issued", sa.Date(), nullable=True),
        sa.Column("modified", sa.Date(), nullable=True),
        sa.Column("classification", sa.String(length=16), nullable=False),
        sa.Column("contains_pii", sa.Boolean(), nullable=False),
        sa.Column("pii_kinds", sa.JSON(), nullable=False),
        sa.Column("access_level", sa.String(length=32), nullable=False),
        sa.Column("rights", sa.String(length=255), nullable=True),
        sa.Column("release_priority", sa.String(length=8), nullable=False),
        sa.Column("release_target_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_datasets_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["steward_id"], ["users.id"], name=op.f("fk_datasets_steward_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_datasets")),
        sa.UniqueConstraint("identifier", name=op.f("uq_datasets_identifier")),
    )
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_datasets_facets",
            ["department_id", "status", "classification", "release_priority"],
            unique=False,
        )
        batch_op.create_index("ix_datasets_status", ["status"], unique=False)
        batch_op.create_index("ix_datasets_updated_at_id", ["updated_at", "id"], unique=False)
        batch_op.create_index("ix_datasets_title", ["title"], unique=False)

    op.create_table(
        "dataset_themes",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("theme", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_dataset_themes_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", "theme", name=op.f("pk_dataset_themes")),
    )
    with op.batch_alter_table("dataset_themes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dataset_themes_theme"), ["theme"], unique=False)

    op.create_table(
        "dataset_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_by_label", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("classification", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["users.id"], name=op.f("fk_dataset_versions_changed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_dataset_versions_dataset_id_datasets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataset_versions")),
        sa.UniqueConstraint(
            "dataset_id", "version", name=op.f("uq_dataset_versions_dataset_id_version")
        ),
    )
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dataset_versions_changed_at"), ["changed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dataset_versions_dataset_id"), ["dataset_id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE dataset_search ("
            " dataset_id INTEGER PRIMARY KEY REFERENCES datasets (id) ON DELETE CASCADE,"
            " document TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_dataset_search_document ON dataset_search USING GIN (document)")
    else:
        # rowid is the dataset id; porter stemming, like PostgreSQL's english configuration.
        op.execute(
            "CREATE VIRTUAL TABLE dataset_search USING fts5("
            " title, description, keywords, tokenize = 'porter unicode61')"
        )


def downgrade():
    op.execute("DROP TABLE dataset_search")
    with op.batch_alter_table("dataset_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_versions_dataset_id"))
        batch_op.drop_index(batch_op.f("ix_dataset_versions_changed_at"))

    op.drop_table("dataset_versions")
    with op.batch_alter_table("dataset_themes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dataset_themes_theme"))

    op.drop_table("dataset_themes")
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.drop_index("ix_datasets_title")
        batch_op.drop_index("ix_datasets_updated_at_id")
        batch_op.drop_index("ix_datasets_status")
        batch_op.drop_index("ix_datasets_facets")

    op.drop_table("datasets")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))

    op.drop_table("api_tokens")
