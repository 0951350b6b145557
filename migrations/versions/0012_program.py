"""The program: the city's strategic priorities (and the records that support them), the
program's settings (seeded with the policy's clocks), voting rounds with ballots and votes held
to their budget and maximum by the database itself, data requests, the committee's assessments
and coordinators' score overrides.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "city_priorities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_city_priorities")),
        sa.UniqueConstraint("name", name=op.f("uq_city_priorities_name")),
    )
    settings = op.create_table(
        "program_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("acknowledge_days", sa.Integer(), nullable=False),
        sa.Column("answer_days", sa.Integer(), nullable=False),
        sa.Column("public_requests", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_program_settings")),
    )
    op.bulk_insert(
        settings,
        [
            {
                "id": 1,
                "acknowledge_days": 14,
                "answer_days": 60,
                "public_requests": True,
                "updated_at": datetime.now(UTC),
            }
        ],
    )
    op.create_table(
        "voting_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("budget", sa.Integer(), nullable=False),
        sa.Column("max_per_item", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_early_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opening_announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("results_announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("budget > 0", name=op.f("ck_voting_rounds_budget_positive")),
        sa.CheckConstraint(
            "closes_at > opens_at", name=op.f("ck_voting_rounds_closes_after_it_opens")
        ),
        sa.CheckConstraint("max_per_item > 0", name=op.f("ck_voting_rounds_max_per_item_positive")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_voting_rounds_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voting_rounds")),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("accountability", sa.Integer(), nullable=False),
        sa.Column("public_knowledge", sa.Integer(), nullable=False),
        sa.Column("department_mission", sa.Integer(), nullable=False),
        sa.Column("economic_opportunity", sa.Integer(), nullable=False),
        sa.Column("public_demand", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "accountability BETWEEN 0 AND 3", name=op.f("ck_assessments_accountability_in_range")
        ),
        sa.CheckConstraint(
            "department_mission BETWEEN 0 AND 3",
            name=op.f("ck_assessments_department_mission_in_range"),
        ),
        sa.CheckConstraint(
            "economic_opportunity BETWEEN 0 AND 3",
            name=op.f("ck_assessments_economic_opportunity_in_range"),
        ),
        sa.CheckConstraint(
            "public_demand BETWEEN 0 AND 3", name=op.f("ck_assessments_public_demand_in_range")
        ),
        sa.CheckConstraint(
            "public_knowledge BETWEEN 0 AND 3",
            name=op.f("ck_assessments_public_knowledge_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_assessments_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["users.id"], name=op.f("fk_assessments_member_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint(
            "dataset_id", "member_id", name=op.f("uq_assessments_dataset_id_member_id")
        ),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_dataset_id"), ["dataset_id"], unique=False)

    op.create_table(
        "ballots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("voter_id", sa.Integer(), nullable=False),
        sa.Column("budget", sa.Integer(), nullable=False),
        sa.Column("spent", sa.Integer(), nullable=False),
        sa.CheckConstraint("spent >= 0 AND spent <= budget", name=op.f("ck_ballots_within_budget")),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["voting_rounds.id"],
            name=op.f("fk_ballots_round_id_voting_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["voter_id"], ["users.id"], name=op.f("fk_ballots_voter_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballots")),
        sa.UniqueConstraint("round_id", "voter_id", name=op.f("uq_ballots_round_id_voter_id")),
    )
    op.create_table(
        "data_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("why", sa.Text(), nullable=True),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("requester_email", sa.String(length=254), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_data_requests_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["users.id"], name=op.f("fk_data_requests_requester_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
    )
    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        batch_op.create_index("ix_data_requests_status", ["status"], unique=False)

    op.create_table(
        "dataset_city_priorities",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["datasets.id"],
            name=op.f("fk_dataset_city_priorities_dataset_id_datasets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["priority_id"],
            ["city_priorities.id"],
            name=op.f("fk_dataset_city_priorities_priority_id_city_priorities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "dataset_id", "priority_id", name=op.f("pk_dataset_city_priorities")
        ),
    )
    with op.batch_alter_table("dataset_city_priorities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dataset_city_priorities_priority_id", ["priority_id"], unique=False
        )

    op.create_table(
        "score_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_score_overrides_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"], ["users.id"], name=op.f("fk_score_overrides_set_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_overrides")),
    )
    with op.batch_alter_table("score_overrides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_score_overrides_dataset_id"), ["dataset_id"], unique=False
        )

    op.create_table(
        "round_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("max_per_item", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(dataset_id IS NULL) <> (request_id IS NULL)",
            name=op.f("ck_round_votes_one_candidate"),
        ),
        sa.CheckConstraint(
            "votes > 0 AND votes <= max_per_item", name=op.f("ck_round_votes_within_item_maximum")
        ),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballots.id"],
            name=op.f("fk_round_votes_ballot_id_ballots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dataset_id"], ["datasets.id"], name=op.f("fk_round_votes_dataset_id_datasets")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["data_requests.id"],
            name=op.f("fk_round_votes_request_id_data_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["voting_rounds.id"],
            name=op.f("fk_round_votes_round_id_voting_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_votes")),
    )
    with op.batch_alter_table("round_votes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_round_votes_round_id_dataset_id", ["round_id", "dataset_id"], unique=False
        )
        batch_op.create_index(
            "ix_round_votes_round_id_request_id", ["round_id", "request_id"], unique=False
        )
        batch_op.create_index(
            "uq_round_votes_ballot_id_dataset_id",
            ["ballot_id", "dataset_id"],
            unique=True,
            sqlite_where=sa.text("dataset_id IS NOT NULL"),
            postgresql_where=sa.text("dataset_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_round_votes_ballot_id_request_id",
            ["ballot_id", "request_id"],
            unique=True,
            sqlite_where=sa.text("request_id IS NOT NULL"),
            postgresql_where=sa.text("request_id IS NOT NULL"),
        )
    _snapshots_name_their_priorities()


def _snapshots_name_their_priorities() -> None:
    """Versions kept before this revision say they supported no city priority (there were
    none), so that the next version's change list does not show one appearing."""
    versions = sa.table(
        "dataset_versions", sa.column("id", sa.Integer), sa.column("snapshot", sa.JSON)
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(versions.c.id, versions.c.snapshot)).all()
    for version_id, snapshot in rows:
        if "city_priorities" not in snapshot:
            bind.execute(
                versions.update()
                .where(versions.c.id == version_id)
                .values(snapshot={**snapshot, "city_priorities": []})
            )


def downgrade():
    with op.batch_alter_table("round_votes", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_round_votes_ballot_id_request_id",
            sqlite_where=sa.text("request_id IS NOT NULL"),
            postgresql_where=sa.text("request_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_round_votes_ballot_id_dataset_id",
            sqlite_where=sa.text("dataset_id IS NOT NULL"),
            postgresql_where=sa.text("dataset_id IS NOT NULL"),
        )
        batch_op.drop_index("ix_round_votes_round_id_request_id")
        batch_op.drop_index("ix_round_votes_round_id_dataset_id")

    op.drop_table("round_votes")
    with op.batch_alter_table("score_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_score_overrides_dataset_id"))

    op.drop_table("score_overrides")
    with op.batch_alter_table("dataset_city_priorities", schema=None) as batch_op:
        batch_op.drop_index("ix_dataset_city_priorities_priority_id")

    op.drop_table("dataset_city_priorities")
    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_data_requests_status")

    op.drop_table("data_requests")
    op.drop_table("ballots")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_dataset_id"))

    op.drop_table("assessments")
    op.drop_table("voting_rounds")
    op.drop_table("program_settings")
    op.drop_table("city_priorities")
