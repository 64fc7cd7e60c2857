"""Precision assistance: organizations, service projects, member groups and key targets,
needs, service plans (一人一策) with versions, referrals, services delivered, time banking

Revision ID: assist01
Revises: notify01
Create Date: 2026-12-06 23:16:05.456842
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "assist01"
down_revision: str | None = "notify01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assistance_organizations",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("contact_name", sa.String(length=50), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("agency_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
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
            ["agency_id"],
            ["agencies.id"],
            name=op.f("fk_assistance_organizations_agency_id_agencies"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff.id"],
            name=op.f("fk_assistance_organizations_created_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
            name=op.f("fk_assistance_organizations_region_code_regions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_organizations")),
        sa.UniqueConstraint("agency_id", name=op.f("uq_assistance_organizations_agency_id")),
    )
    op.create_table(
        "assistance_projects",
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=False),
        sa.Column("service_mask", sa.Integer(), nullable=False),
        sa.Column("category_mask", sa.Integer(), nullable=False),
        sa.Column("group_mask", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("region_low", sa.String(length=12), nullable=False),
        sa.Column("region_high", sa.String(length=12), nullable=False),
        sa.Column("region_depth", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("in_use", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("contact_name", sa.String(length=50), nullable=False),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
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
            ["created_by_id"], ["staff.id"], name=op.f("fk_assistance_projects_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["assistance_organizations.id"],
            name=op.f("fk_assistance_projects_organization_id_assistance_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["regions.code"],
            name=op.f("fk_assistance_projects_region_code_regions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_projects")),
    )
    with op.batch_alter_table("assistance_projects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assistance_projects_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "ix_assistance_projects_region", ["region_low", "region_high"], unique=False
        )

    op.create_table(
        "assistance_profiles",
        sa.Column(
            "household_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("group_mask", sa.Integer(), nullable=False),
        sa.Column("key_target", sa.Boolean(), nullable=False),
        sa.Column("key_reason", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_assistance_profiles_household_id_households"),
        ),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_assistance_profiles")),
    )
    with op.batch_alter_table("assistance_profiles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assistance_profiles_key", ["key_target", "household_id"], unique=False
        )

    op.create_table(
        "assistance_member_tags",
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("tag", sa.String(length=32), nullable=False),
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
            ["created_by_id"],
            ["staff.id"],
            name=op.f("fk_assistance_member_tags_created_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_assistance_member_tags_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["household_members.id"],
            name=op.f("fk_assistance_member_tags_member_id_household_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_member_tags")),
        sa.UniqueConstraint(
            "member_id", "tag", name=op.f("uq_assistance_member_tags_member_id_tag")
        ),
    )
    with op.batch_alter_table("assistance_member_tags", schema=None) as batch_op:
        batch_op.create_index("ix_assistance_member_tags_household", ["household_id"], unique=False)

    op.create_table(
        "assistance_needs",
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("service_type", sa.String(length=24), nullable=False),
        sa.Column("service_bit", sa.Integer(), nullable=False),
        sa.Column("urgency", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("note_enc", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("closed_reason", sa.String(length=500), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
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
            ["created_by_id"], ["staff.id"], name=op.f("fk_assistance_needs_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_assistance_needs_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["household_members.id"],
            name=op.f("fk_assistance_needs_member_id_household_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_needs")),
    )
    with op.batch_alter_table("assistance_needs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assistance_needs_household", ["household_id", "status"], unique=False
        )
        batch_op.create_index("ix_assistance_needs_region", ["region_code", "status"], unique=False)

    op.create_table(
        "assistance_plans",
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("approved_version", sa.Integer(), nullable=True),
        sa.Column(
            "responsible_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("review_on", sa.Date(), nullable=False),
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
            ["created_by_id"], ["staff.id"], name=op.f("fk_assistance_plans_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_assistance_plans_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["household_members.id"],
            name=op.f("fk_assistance_plans_member_id_household_members"),
        ),
        sa.ForeignKeyConstraint(
            ["responsible_id"], ["staff.id"], name=op.f("fk_assistance_plans_responsible_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_plans")),
    )
    with op.batch_alter_table("assistance_plans", schema=None) as batch_op:
        batch_op.create_index("ix_assistance_plans_household", ["household_id", "id"], unique=False)

    op.create_table(
        "assistance_plan_versions",
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("need_ids", sa.JSON(), nullable=False),
        sa.Column("project_ids", sa.JSON(), nullable=False),
        sa.Column(
            "responsible_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=False),
        sa.Column(
            "created_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "approved_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["staff.id"],
            name=op.f("fk_assistance_plan_versions_approved_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff.id"],
            name=op.f("fk_assistance_plan_versions_created_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["assistance_plans.id"],
            name=op.f("fk_assistance_plan_versions_plan_id_assistance_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["responsible_id"],
            ["staff.id"],
            name=op.f("fk_assistance_plan_versions_responsible_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_plan_versions")),
        sa.UniqueConstraint(
            "plan_id", "version", name=op.f("uq_assistance_plan_versions_plan_id_version")
        ),
    )
    op.create_table(
        "assistance_referrals",
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("region_code", sa.String(length=12), nullable=False),
        sa.Column("need_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("plan_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "organization_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column(
            "responsible_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.String(length=500), nullable=False),
        sa.Column("first_service_on", sa.Date(), nullable=True),
        sa.Column("hours_total", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("outcome_note", sa.String(length=1000), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
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
            name=op.f("fk_assistance_referrals_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["assistance_needs.id"],
            name=op.f("fk_assistance_referrals_need_id_assistance_needs"),
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["assistance_organizations.id"],
            name=op.f("fk_assistance_referrals_organization_id_assistance_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["assistance_plans.id"],
            name=op.f("fk_assistance_referrals_plan_id_assistance_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["assistance_projects.id"],
            name=op.f("fk_assistance_referrals_project_id_assistance_projects"),
        ),
        sa.ForeignKeyConstraint(
            ["responsible_id"],
            ["staff.id"],
            name=op.f("fk_assistance_referrals_responsible_id_staff"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_referrals")),
    )
    with op.batch_alter_table("assistance_referrals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assistance_referrals_household", ["household_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_assistance_referrals_org", ["organization_id", "status", "id"], unique=False
        )
        batch_op.create_index("ix_assistance_referrals_region", ["region_code", "id"], unique=False)

    op.create_table(
        "assistance_services",
        sa.Column(
            "referral_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "household_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("what", sa.String(length=500), nullable=False),
        sa.Column(
            "ledger_entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("recorded_by_kind", sa.String(length=8), nullable=False),
        sa.Column(
            "recorded_by_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_assistance_services_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_assistance_services_ledger_entry_id_ledger_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["assistance_projects.id"],
            name=op.f("fk_assistance_services_project_id_assistance_projects"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["assistance_referrals.id"],
            name=op.f("fk_assistance_services_referral_id_assistance_referrals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_services")),
    )
    with op.batch_alter_table("assistance_services", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assistance_services_project", ["project_id", "date"], unique=False
        )
        batch_op.create_index(
            "ix_assistance_services_referral", ["referral_id", "id"], unique=False
        )

    op.create_table(
        "assistance_time_bank",
        sa.Column(
            "project_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "service_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("volunteer", sa.String(length=50), nullable=False),
        sa.Column("hours", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["assistance_projects.id"],
            name=op.f("fk_assistance_time_bank_project_id_assistance_projects"),
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["assistance_services.id"],
            name=op.f("fk_assistance_time_bank_service_id_assistance_services"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_time_bank")),
    )
    with op.batch_alter_table("assistance_time_bank", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assistance_time_bank_volunteer", ["project_id", "volunteer"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("assistance_time_bank", schema=None) as batch_op:
        batch_op.drop_index("ix_assistance_time_bank_volunteer")

    op.drop_table("assistance_time_bank")
    with op.batch_alter_table("assistance_services", schema=None) as batch_op:
        batch_op.drop_index("ix_assistance_services_referral")
        batch_op.drop_index("ix_assistance_services_project")

    op.drop_table("assistance_services")
    with op.batch_alter_table("assistance_referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_assistance_referrals_region")
        batch_op.drop_index("ix_assistance_referrals_org")
        batch_op.drop_index("ix_assistance_referrals_household")

    op.drop_table("assistance_referrals")
    op.drop_table("assistance_plan_versions")
    with op.batch_alter_table("assistance_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_assistance_plans_household")

    op.drop_table("assistance_plans")
    with op.batch_alter_table("assistance_needs", schema=None) as batch_op:
        batch_op.drop_index("ix_assistance_needs_region")
        batch_op.drop_index("ix_assistance_needs_household")

    op.drop_table("assistance_needs")
    with op.batch_alter_table("assistance_member_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_assistance_member_tags_household")

    op.drop_table("assistance_member_tags")
    with op.batch_alter_table("assistance_profiles", schema=None) as batch_op:
        batch_op.drop_index("ix_assistance_profiles_key")

    op.drop_table("assistance_profiles")
    with op.batch_alter_table("assistance_projects", schema=None) as batch_op:
        batch_op.drop_index("ix_assistance_projects_region")
        batch_op.drop_index(batch_op.f("ix_assistance_projects_organization_id"))

    op.drop_table("assistance_projects")
    op.drop_table("assistance_organizations")
