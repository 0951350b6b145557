"""Departments' monthly stock-take meetings (`stock_takes`, one a department a month) and
what each said of a measure with the follow-up it asked for (`stock_take_notes`; a follow-up
is open until a later stock-take closes it).

Revision ID: 0036
Revises: 0035
"""

import sqlalchemy as sa
from alembic import op

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stock_takes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_stock_takes_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_stock_takes_recorded_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_takes")),
        sa.UniqueConstraint(
            "department_id", "month", name=op.f("uq_stock_takes_department_id_month")
        ),
    )
    op.create_table(
        "stock_take_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stock_take_id", sa.Integer(), nullable=False),
        sa.Column("measure_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("follow_up", sa.Text(), nullable=True),
        sa.Column("follow_up_by", sa.Date(), nullable=True),
        sa.Column("closed_in_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["closed_in_id"],
            ["stock_takes.id"],
            name=op.f("fk_stock_take_notes_closed_in_id_stock_takes"),
        ),
        sa.ForeignKeyConstraint(
            ["measure_id"], ["measures.id"], name=op.f("fk_stock_take_notes_measure_id_measures")
        ),
        sa.ForeignKeyConstraint(
            ["stock_take_id"],
            ["stock_takes.id"],
            name=op.f("fk_stock_take_notes_stock_take_id_stock_takes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_take_notes")),
    )
    op.create_index(op.f("ix_stock_take_notes_measure_id"), "stock_take_notes", ["measure_id"])
    op.create_index(
        op.f("ix_stock_take_notes_stock_take_id"), "stock_take_notes", ["stock_take_id"]
    )


def downgrade():
    op.drop_table("stock_take_notes")
    op.drop_table("stock_takes")
