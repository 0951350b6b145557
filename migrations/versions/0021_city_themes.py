"""The city's own themes: a vocabulary the coordinator keeps, seeded with the registry's twelve
and any other theme a record already has.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

DEFAULTS = [
    "Budget and Finance",
    "City Government",
    "Economic Development",
    "Education",
    "Environment",
    "Health",
    "Housing",
    "Public Safety",
    "Recreation",
    "Transportation",
    "Infrastructure",
    "Community",
]


def upgrade():
    themes = op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
        sa.UniqueConstraint("name", name=op.f("uq_themes_name")),
    )
    used = [
        row[0]
        for row in op.get_bind().execute(
            sa.text("SELECT DISTINCT theme FROM dataset_themes ORDER BY theme")
        )
    ]
    names = DEFAULTS + [name for name in used if name.lower() not in {d.lower() for d in DEFAULTS}]
    op.bulk_insert(themes, [{"name": name, "position": n} for n, name in enumerate(names)])


def downgrade():
    op.drop_table("themes")
