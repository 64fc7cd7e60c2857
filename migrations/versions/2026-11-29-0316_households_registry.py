"""The monitoring registry: households, members, changes, categories, standards, ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 03:16:42.564074
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "standards",
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Numeric(precision=12, scale=4), nullable=False),
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
            ["created_by_id"], ["staff.id"], name=op.f("fk_standards_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_standards_region_code_regions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standards")),
        sa.UniqueConstraint(
            "region_code",
            "kind",
            "effective_from",
            name=op.f("uq_standards_region_code_kind_effective_from"),
        ),
    )
    op.create_table(
        "households",
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=True),
        sa.Column("category_since", sa.Date(), nullable=True),
        sa.Column("risk_level", sa.String(length=8), nullable=False),
        sa.Column(
            "risk_set_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("risk_reason", sa.String(length=500), nullable=False),
        sa.Column("risk_set_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("causes", sa.JSON(), nullable=False),
        sa.Column("cause_mask", sa.Integer(), nullable=False),
        sa.Column("medical_spending", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("education_spending", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("members_count", sa.Integer(), nullable=False),
        sa.Column("monthly_income_total", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("head_name", sa.String(length=50), nullable=False),
        sa.Column("head_id_masked", sa.String(length=18), nullable=True),
        sa.Column("has_severe_member", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_households_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_households_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name=op.f("fk_households_region_code_regions")
        ),
        sa.ForeignKeyConstraint(
            ["risk_set_by_id"], ["staff.id"], name=op.f("fk_households_risk_set_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("reference", name=op.f("uq_households_reference")),
    )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index("ix_households_category_list", ["category", "id"], unique=False)
        batch_op.create_index("ix_households_region_list", ["region_code", "id"], unique=False)
        batch_op.create_index("ix_households_risk_list", ["risk_level", "id"], unique=False)
        batch_op.create_index("ix_households_status_list", ["status", "id"], unique=False)

    op.create_table(
        "category_changes",
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=24), nullable=True),
        sa.Column("previous_category", sa.String(length=24), nullable=True),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column(
            "approved_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "application_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("monthly_amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("standard_value", sa.Numeric(precision=12, scale=2), nullable=True),
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
            name=op.f("fk_category_changes_application_id_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["staff.id"], name=op.f("fk_category_changes_approved_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_category_changes_household_id_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_changes")),
    )
    with op.batch_alter_table("category_changes", schema=None) as batch_op:
        batch_op.create_index("ix_category_changes_household", ["household_id", "id"], unique=False)

    op.create_table(
        "household_members",
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("id_enc", sa.Text(), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("id_masked", sa.String(length=18), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=6), nullable=False),
        sa.Column("relation", sa.String(length=12), nullable=False),
        sa.Column("disability_type", sa.String(length=20), nullable=True),
        sa.Column("disability_grade", sa.Integer(), nullable=True),
        sa.Column("severe_illness", sa.Boolean(), nullable=False),
        sa.Column("chronic_illness", sa.Boolean(), nullable=False),
        sa.Column("work_capacity", sa.String(length=8), nullable=False),
        sa.Column("employment", sa.String(length=20), nullable=False),
        sa.Column("monthly_income", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("income_sources", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_reason", sa.String(length=500), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_members_household_id_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_members")),
    )
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_household_members_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index("ix_household_members_id_hash", ["id_hash"], unique=False)
        batch_op.create_index(
            "ix_household_members_name",
            ["name"],
            unique=False,
            postgresql_ops={"name": "varchar_pattern_ops"},
        )
        batch_op.create_index(
            "uq_household_members_active_person",
            ["id_hash"],
            unique=True,
            postgresql_where=sa.text("active"),
            sqlite_where=sa.text("active = 1"),
        )

    op.create_table(
        "ledger_entries",
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column("giver", sa.String(length=100), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("decision_ref", sa.String(length=40), nullable=True),
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
            ["created_by_id"], ["staff.id"], name=op.f("fk_ledger_entries_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_ledger_entries_household_id_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_entries_household", ["household_id", "date", "id"], unique=False
        )

    op.create_table(
        "household_changes",
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_changes_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["household_members.id"],
            name=op.f("fk_household_changes_member_id_household_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_changes")),
    )
    with op.batch_alter_table("household_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_household_changes_household", ["household_id", "id"], unique=False
        )

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE household_reference_seq")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP SEQUENCE household_reference_seq")

    with op.batch_alter_table("household_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_household_changes_household")

    op.drop_table("household_changes")
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_entries_household")

    op.drop_table("ledger_entries")
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_household_members_active_person",
            postgresql_where=sa.text("active"),
            sqlite_where=sa.text("active = 1"),
        )
        batch_op.drop_index(
            "ix_household_members_name", postgresql_ops={"name": "varchar_pattern_ops"}
        )
        batch_op.drop_index("ix_household_members_id_hash")
        batch_op.drop_index(batch_op.f("ix_household_members_household_id"))

    op.drop_table("household_members")
    with op.batch_alter_table("category_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_category_changes_household")

    op.drop_table("category_changes")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index("ix_households_status_list")
        batch_op.drop_index("ix_households_risk_list")
        batch_op.drop_index("ix_households_region_list")
        batch_op.drop_index("ix_households_category_list")

    op.drop_table("households")
    op.drop_table("standards")
