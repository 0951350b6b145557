"""The read side: versions keep their own snapshot shape (format 2, independent of the API's
output) and say what the record was then (status, department, the classification in force), so
the inventory can be read as of any moment through the same visibility rule; each record keeps
the day its governance was last approved (re-reviews count from it).

Existing snapshots, in the API's shape, are converted: steward emails become names (the public
reads history), API-only fields go, and what the old shape lacked is filled from the record.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

API_ONLY = ("department_name", "classification_level", "steward_name")

versions = sa.table(
    "dataset_versions",
    sa.column("id", sa.Integer),
    sa.column("dataset_id", sa.Integer),
    sa.column("snapshot", sa.JSON),
    sa.column("changes", sa.JSON),
    sa.column("classification", sa.String),
    sa.column("status", sa.String),
    sa.column("department_id", sa.Integer),
)
datasets = sa.table(
    "datasets",
    sa.column("id", sa.Integer),
    sa.column("published_on", sa.Date),
    sa.column("approved_on", sa.Date),
    sa.column("status", sa.String),
)


def _convert(snapshot: dict, users: dict, departments: dict, published_on) -> dict:
    if snapshot.get("format") == 2:
        return snapshot
    converted = {key: value for key, value in snapshot.items() if key not in API_ONLY}
    steward = users.get(snapshot.get("steward"))
    converted.update(
        format=2,
        department_id=departments.get(snapshot.get("department")),
        steward=steward[1] if steward else None,
        steward_id=steward[0] if steward else None,
        review_round=None,
        published_on=(
            published_on.isoformat()
            if published_on and snapshot.get("status") in ("published", "retired")
            else None
        ),
    )
    return converted


def _convert_changes(changes: dict, users: dict) -> dict:
    converted = {}
    for field, change in (changes or {}).items():
        if field in API_ONLY:
            continue
        if field == "steward":
            change = {
                side: (users[value][1] if value in users else value)
                for side, value in change.items()
            }
        converted[field] = change
    return converted


def upgrade():
    op.add_column("datasets", sa.Column("approved_on", sa.Date(), nullable=True))
    op.add_column("dataset_versions", sa.Column("status", sa.String(length=32), nullable=True))
    op.add_column("dataset_versions", sa.Column("department_id", sa.Integer(), nullable=True))
    bind = op.get_bind()
    users = {
        email: (user_id, name)
        for user_id, email, name in bind.execute(sa.text("SELECT id, email, name FROM users"))
    }
    departments = dict(bind.execute(sa.text("SELECT code, id FROM departments")).tuples().all())
    published = dict(bind.execute(sa.select(datasets.c.id, datasets.c.published_on)).tuples().all())
    rows = bind.execute(
        sa.select(versions.c.id, versions.c.dataset_id, versions.c.snapshot, versions.c.changes)
    ).all()
    for version_id, dataset_id, snapshot, changes in rows:
        converted = _convert(snapshot or {}, users, departments, published.get(dataset_id))
        bind.execute(
            versions.update()
            .where(versions.c.id == version_id)
            .values(
                snapshot=converted,
                changes=_convert_changes(changes, users),
                classification=converted["classification"],
                status=converted["status"],
                department_id=converted["department_id"],
            )
        )
    approvals = bind.execute(
        sa.text(
            "SELECT dataset_id, MAX(decided_at) FROM decisions WHERE outcome = 'approve' "
            "GROUP BY dataset_id"
        )
    ).all()
    for dataset_id, decided_at in approvals:
        day = date.fromisoformat(str(decided_at)[:10])
        bind.execute(datasets.update().where(datasets.c.id == dataset_id).values(approved_on=day))
    with op.batch_alter_table("dataset_versions") as batch:
        batch.alter_column("status", existing_type=sa.String(length=32), nullable=False)
        batch.alter_column("department_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            op.f("fk_dataset_versions_department_id_departments"),
            "departments",
            ["department_id"],
            ["id"],
        )
        batch.create_index(
            "ix_dataset_versions_dataset_id_changed_at", ["dataset_id", "changed_at"]
        )


def downgrade():
    with op.batch_alter_table("dataset_versions") as batch:
        batch.drop_index("ix_dataset_versions_dataset_id_changed_at")
        batch.drop_constraint(
            op.f("fk_dataset_versions_department_id_departments"), type_="foreignkey"
        )
        batch.drop_column("department_id")
        batch.drop_column("status")
    op.drop_column("datasets", "approved_on")
