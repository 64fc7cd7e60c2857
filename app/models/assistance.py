"""Precision assistance (精准救助): organizations and their service projects, groups and key
people, needs, one-person-one-policy plans (一人一策), referrals and services delivered.

Service types, target categories and target groups are small fixed vocabularies
(``app/assistance/vocabulary.py``) kept as bit masks, so matching is integer arithmetic that
every backend indexes and computes alike."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import BigId, IdMixin, Model, TimestampMixin, utcnow

HOURS = Numeric(8, 2)


class Organization(IdMixin, TimestampMixin, Model):
    """A social organization, social-worker station or volunteer team that runs projects. It
    calls the API as the agency it is linked to (``agency_id``: the agency's hashed key)."""

    __tablename__ = "assistance_organizations"

    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(24))
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("regions.code"))
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    agency_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("agencies.id"), unique=True, nullable=True
    )
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))


class Project(IdMixin, TimestampMixin, Model):
    """A service project (服务项目), e.g. one of Wenjiang's "micro-light" projects."""

    __tablename__ = "assistance_projects"
    __table_args__ = (Index("ix_assistance_projects_region", "region_low", "region_high"),)

    organization_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("assistance_organizations.id"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(1000), default="")
    service_mask: Mapped[int] = mapped_column(default=0)
    category_mask: Mapped[int] = mapped_column(default=0)  # 0: every category
    group_mask: Mapped[int] = mapped_column(default=0)  # 0: no particular group
    # The subtree served, as a code range, and its depth (0 district, 1 street, 2 community).
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("regions.code"))
    region_low: Mapped[str] = mapped_column(String(12))
    region_high: Mapped[str] = mapped_column(String(12))
    region_depth: Mapped[int]
    capacity: Mapped[int]
    in_use: Mapped[int] = mapped_column(default=0)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))


class MemberTag(IdMixin, Model):
    """A group a household member belongs to (困境儿童, 独居老人, 重度残疾, 大病 ...)."""

    __tablename__ = "assistance_member_tags"
    __table_args__ = (
        UniqueConstraint("member_id", "tag"),
        Index("ix_assistance_member_tags_household", "household_id"),
    )

    household_id: Mapped[int] = mapped_column(BigId, ForeignKey("households.id"))
    member_id: Mapped[int] = mapped_column(BigId, ForeignKey("household_members.id"))
    tag: Mapped[str] = mapped_column(String(32))
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HouseholdProfile(Model):
    """What assistance keeps per household: its groups as a mask (kept in step with the member
    tags) and the key-target flag (重点对象)."""

    __tablename__ = "assistance_profiles"
    __table_args__ = (Index("ix_assistance_profiles_key", "key_target", "household_id"),)

    household_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("households.id"), primary_key=True, autoincrement=False
    )
    group_mask: Mapped[int] = mapped_column(default=0)
    key_target: Mapped[bool] = mapped_column(default=False)
    key_reason: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Need(IdMixin, Model):
    """A household's (or one member's) need for a service, assessed by a worker after a visit,
    an application or a warning. The note is personal and sealed."""

    __tablename__ = "assistance_needs"
    __table_args__ = (
        Index("ix_assistance_needs_household", "household_id", "status"),
        Index("ix_assistance_needs_region", "region_code", "status"),
    )

    household_id: Mapped[int] = mapped_column(BigId, ForeignKey("households.id"))
    member_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("household_members.id"))
    region_code: Mapped[str] = mapped_column(String(12))
    service_type: Mapped[str] = mapped_column(String(24))
    service_bit: Mapped[int]
    urgency: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(16), default="assessment")
    source_id: Mapped[int | None] = mapped_column(BigId)
    note_enc: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | met | closed
    closed_reason: Mapped[str] = mapped_column(String(500), default="")
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ServicePlan(IdMixin, TimestampMixin, Model):
    """A household's plan (一人一策). The current content is its newest version; every version
    is kept in :class:`ServicePlanVersion`."""

    __tablename__ = "assistance_plans"
    __table_args__ = (Index("ix_assistance_plans_household", "household_id", "id"),)

    household_id: Mapped[int] = mapped_column(BigId, ForeignKey("households.id"))
    member_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("household_members.id"))
    region_code: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft | approved | closed
    version: Mapped[int] = mapped_column(default=1)
    approved_version: Mapped[int | None]
    responsible_id: Mapped[int] = mapped_column(BigId, ForeignKey("staff.id"))
    review_on: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))


class ServicePlanVersion(IdMixin, Model):
    """One version of a plan, never changed once written (the approval is recorded on it)."""

    __tablename__ = "assistance_plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "version"),)

    plan_id: Mapped[int] = mapped_column(BigId, ForeignKey("assistance_plans.id"))
    version: Mapped[int]
    goals: Mapped[list[str]] = mapped_column(JSON, default=list)
    need_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    project_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    responsible_id: Mapped[int] = mapped_column(BigId, ForeignKey("staff.id"))
    review_on: Mapped[date]
    note: Mapped[str] = mapped_column(String(1000), default="")
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    approved_at: Mapped[datetime | None]


class Referral(IdMixin, TimestampMixin, Model):
    """A household sent to a project (转介): sent > accepted | declined; accepted > completed.
    An accepted referral holds one of the project's places (``in_use``) until it completes."""

    __tablename__ = "assistance_referrals"
    __table_args__ = (
        Index("ix_assistance_referrals_org", "organization_id", "status", "id"),
        Index("ix_assistance_referrals_household", "household_id", "id"),
        Index("ix_assistance_referrals_region", "region_code", "id"),
    )

    household_id: Mapped[int] = mapped_column(BigId, ForeignKey("households.id"))
    region_code: Mapped[str] = mapped_column(String(12))
    need_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("assistance_needs.id"))
    plan_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("assistance_plans.id"))
    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("assistance_projects.id"))
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("assistance_organizations.id"))
    status: Mapped[str] = mapped_column(String(10), default="sent")
    note: Mapped[str] = mapped_column(String(500), default="")
    responsible_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None]
    decline_reason: Mapped[str] = mapped_column(String(500), default="")
    first_service_on: Mapped[date | None]
    hours_total: Mapped[Decimal] = mapped_column(HOURS, default=Decimal("0.00"))
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_note: Mapped[str] = mapped_column(String(1000), default="")
    completed_at: Mapped[datetime | None]


class ServiceRecord(IdMixin, Model):
    """A service delivered on a referral: date, hours, what was done, by whom."""

    __tablename__ = "assistance_services"
    __table_args__ = (
        Index("ix_assistance_services_referral", "referral_id", "id"),
        Index("ix_assistance_services_project", "project_id", "date"),
    )

    referral_id: Mapped[int] = mapped_column(BigId, ForeignKey("assistance_referrals.id"))
    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("assistance_projects.id"))
    household_id: Mapped[int] = mapped_column(BigId, ForeignKey("households.id"))
    date: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(HOURS)
    what: Mapped[str] = mapped_column(String(500))
    ledger_entry_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ledger_entries.id"))
    recorded_by_kind: Mapped[str] = mapped_column(String(8))
    recorded_by_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TimeBankCredit(IdMixin, Model):
    """Volunteer hours credited (时间银行) for a service delivered."""

    __tablename__ = "assistance_time_bank"
    __table_args__ = (Index("ix_assistance_time_bank_volunteer", "project_id", "volunteer"),)

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("assistance_projects.id"))
    service_id: Mapped[int] = mapped_column(BigId, ForeignKey("assistance_services.id"))
    volunteer: Mapped[str] = mapped_column(String(50))
    hours: Mapped[Decimal] = mapped_column(HOURS)
    date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
