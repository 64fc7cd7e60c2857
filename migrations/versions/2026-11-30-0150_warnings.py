"""Warnings: rules' settings, warnings with their evidence and history, and scans

One open warning per rule and subject is a partial unique index (``uq_warnings_open_subject``),
so two scans running at once cannot open the same warning twice.

Revision ID: warn0001
Revises: 0006
Create Date: 2026-11-29 23:47:35.736158
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "warn0001"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "warning_rules",
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column(
            "updated_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["staff.id"], name=op.f("fk_warning_rules_updated_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_warning_rules")),
    )
    op.create_table(
        "warning_scans",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("import_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "requested_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("rules_run", sa.Integer(), nullable=False),
        sa.Column("warnings_opened", sa.Integer(), nullable=False),
        sa.Column("opened_by_rule", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["staff.id"], name=op.f("fk_warning_scans_requested_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_scans")),
    )
    op.create_table(
        "warnings",
        sa.Column("rule_code", sa.String(length=48), nullable=False),
        sa.Column("rule_class", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("subject_key", sa.String(length=80), nullable=False),
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("person_hash", sa.String(length=64), nullable=True),
        sa.Column("person_name", sa.String(length=50), nullable=False),
        sa.Column("person_id_masked", sa.String(length=18), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("last_signal_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "assignee_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("route", sa.String(length=20), nullable=True),
        sa.Column("resolution", sa.JSON(), nullable=False),
        sa.Column(
            "resolved_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["staff.id"], name=op.f("fk_warnings_assignee_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_warnings_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["staff.id"], name=op.f("fk_warnings_resolved_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["warning_scans.id"], name=op.f("fk_warnings_scan_id_warning_scans")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warnings")),
    )
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.create_index("ix_warnings_assignee", ["assignee_id", "status"], unique=False)
        batch_op.create_index("ix_warnings_household", ["household_id"], unique=False)
        batch_op.create_index("ix_warnings_region_list", ["region_code", "id"], unique=False)
        batch_op.create_index("ix_warnings_scan", ["scan_id"], unique=False)
        batch_op.create_index("ix_warnings_status_list", ["status", "id"], unique=False)
        batch_op.create_index("ix_warnings_subject", ["subject_key", "rule_code"], unique=False)
        batch_op.create_index(
            "uq_warnings_open_subject",
            ["rule_code", "subject_key"],
            unique=True,
            postgresql_where=sa.text("status IN ('open', 'dispatched', 'verified')"),
            sqlite_where=sa.text("status IN ('open', 'dispatched', 'verified')"),
        )

    op.create_table(
        "warning_events",
        sa.Column(
            "warning_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("actor_role", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["warning_id"], ["warnings.id"], name=op.f("fk_warning_events_warning_id_warnings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_events")),
    )
    with op.batch_alter_table("warning_events", schema=None) as batch_op:
        batch_op.create_index("ix_warning_events_warning", ["warning_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("warning_events", schema=None) as batch_op:
        batch_op.drop_index("ix_warning_events_warning")

    op.drop_table("warning_events")
    with op.batch_alter_table("warnings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_warnings_open_subject",
            postgresql_where=sa.text("status IN ('open', 'dispatched', 'verified')"),
            sqlite_where=sa.text("status IN ('open', 'dispatched', 'verified')"),
        )
        batch_op.drop_index("ix_warnings_subject")
        batch_op.drop_index("ix_warnings_status_list")
        batch_op.drop_index("ix_warnings_scan")
        batch_op.drop_index("ix_warnings_region_list")
        batch_op.drop_index("ix_warnings_household")
        batch_op.drop_index("ix_warnings_assignee")

    op.drop_table("warnings")
    op.drop_table("warning_scans")
    op.drop_table("warning_rules")
