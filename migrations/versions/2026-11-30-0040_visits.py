"""Risk-based visits: the visit policy, each household's visit schedule state, visit records

Due dates are not stored: they are derived when read from the last visit, the household's
current category and risk level and the policy in force (app/visits/policy.py).

Revision ID: visits01
Revises: 0004_jobs
Create Date: 2026-11-29 23:46:57.849937
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "visits01"
down_revision: str | None = "0004_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "visit_policies",
        sa.Column("category", sa.String(length=24), nullable=False),
        sa.Column("risk_level", sa.String(length=8), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=True),
        sa.Column("region_low", sa.String(length=12), nullable=False),
        sa.Column("region_high", sa.String(length=12), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("cycle_days", sa.Integer(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column(
            "created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_visit_policies_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_visit_policies_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_policies")),
        sa.UniqueConstraint(
            "category",
            "risk_level",
            "region_low",
            "effective_from",
            name=op.f("uq_visit_policies_category_risk_level_region_low_effective_from"),
        ),
    )
    with op.batch_alter_table("visit_policies", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visit_policies_lookup",
            ["category", "risk_level", "depth", "effective_from"],
            unique=False,
        )

    op.create_table(
        "visit_schedules",
        sa.Column(
            "household_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "assignee_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "last_visit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("last_visit_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_visit_on", sa.Date(), nullable=True),
        sa.Column("pulled_forward_on", sa.Date(), nullable=True),
        sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pull_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["staff.id"], name=op.f("fk_visit_schedules_assignee_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_visit_schedules_household_id_households"),
        ),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_visit_schedules")),
    )
    with op.batch_alter_table("visit_schedules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visit_schedules_assignee", ["assignee_id", "household_id"], unique=False
        )

    op.create_table(
        "visits",
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("staff_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("latitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("longitude", sa.Numeric(precision=9, scale=6), nullable=True),
        sa.Column("met", sa.JSON(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("need_type", sa.String(length=16), nullable=True),
        sa.Column("needs_enc", sa.Text(), nullable=True),
        sa.Column("notes_enc", sa.Text(), nullable=False),
        sa.Column("risk_level_before", sa.String(length=8), nullable=False),
        sa.Column("risk_level_after", sa.String(length=8), nullable=False),
        sa.Column("risk_applied", sa.Boolean(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_visits_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_visits_household_id_households")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_visits_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
        sa.UniqueConstraint(
            "household_id",
            "staff_id",
            "visited_at",
            name=op.f("uq_visits_household_id_staff_id_visited_at"),
        ),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index("ix_visits_household", ["household_id", "visited_at"], unique=False)
        batch_op.create_index("ix_visits_staff", ["staff_id", "visited_on"], unique=False)
        batch_op.create_index("ix_visits_visited_on", ["visited_on", "region_code"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index("ix_visits_visited_on")
        batch_op.drop_index("ix_visits_staff")
        batch_op.drop_index("ix_visits_household")

    op.drop_table("visits")
    with op.batch_alter_table("visit_schedules", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_schedules_assignee")

    op.drop_table("visit_schedules")
    with op.batch_alter_table("visit_policies", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_policies_lookup")

    op.drop_table("visit_policies")
