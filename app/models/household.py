from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import BigId, IdMixin, Model, TimestampMixin, utcnow

MONEY = Numeric(12, 2)
CAUSE_BITS = 8  # causes of hardship, one bit each in ``households.cause_mask``


class Household(IdMixin, TimestampMixin, Model):
    """A household under dynamic monitoring (监测对象家庭)."""

    __tablename__ = "households"
    __table_args__ = (
        Index("ix_households_region_list", "region_code", "id"),
        Index("ix_households_category_list", "category", "id"),
        Index("ix_households_status_list", "status", "id"),
        Index("ix_households_risk_list", "risk_level", "id"),
        # One partial index per cause bit: a cause filter reads only the households with that
        # cause, newest first, instead of every household (a bitmask is not otherwise indexable).
        *(
            Index(
                f"ix_households_cause_bit{bit}",
                "id",
                postgresql_where=text(f"(cause_mask & {1 << bit}) <> 0"),
                sqlite_where=text(f"(cause_mask & {1 << bit}) <> 0"),
            )
            for bit in range(CAUSE_BITS)
        ),
    )

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("regions.code"))
    address: Mapped[str] = mapped_column(String(200), default="")
    # The number to call (sealed; keyed hash for lookups; masked for lists).
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    # Household size declared on the application that registered it; members still to be
    # recorded after a home visit are the difference from ``members_count``.
    declared_size: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(10), default="active")  # active | exited
    # Current category (监测对象类别); the full history is in category_changes.
    category: Mapped[str | None] = mapped_column(String(24))
    category_since: Mapped[date | None]
    # Tekun only (特困供养方式): dispersed 分散供养 | centralized 集中供养; NULL: not recorded.
    care_arrangement: Mapped[str | None] = mapped_column(String(16))
    risk_level: Mapped[str] = mapped_column(String(8), default="low")  # high | medium | low
    risk_set_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    risk_reason: Mapped[str] = mapped_column(String(500), default="")
    risk_set_at: Mapped[datetime | None]
    causes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # One bit per cause of hardship, so lists filter by cause on every backend.
    cause_mask: Mapped[int] = mapped_column(default=0)
    medical_spending: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    education_spending: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    # Kept in step with the members for fast lists and set-based eligibility.
    members_count: Mapped[int] = mapped_column(default=0)
    monthly_income_total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    head_name: Mapped[str] = mapped_column(String(50), default="")
    head_id_masked: Mapped[str | None] = mapped_column(String(18))
    # Any member severely disabled (grade 1-2) or severely ill: may be enrolled alone (单人户).
    has_severe_member: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    application_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("applications.id"))
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))

    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="household", lazy="raise", order_by="HouseholdMember.id"
    )


class HouseholdMember(IdMixin, TimestampMixin, Model):
    """A person in a household. One person is in at most one active household: a partial
    unique index on the keyed hash of the ID number, over active members only."""

    __tablename__ = "household_members"
    __table_args__ = (
        Index(
            "uq_household_members_active_person",
            "id_hash",
            unique=True,
            postgresql_where=text("active"),
            sqlite_where=text("active = 1"),
        ),
        Index("ix_household_members_id_hash", "id_hash"),
        Index(
            "ix_household_members_name",
            "name",
            postgresql_ops={"name": "varchar_pattern_ops"},
        ),
    )

    household_id: Mapped[int] = mapped_column(BigId, ForeignKey("households.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    id_enc: Mapped[str] = mapped_column(Text)
    id_hash: Mapped[str] = mapped_column(String(64))
    id_masked: Mapped[str] = mapped_column(String(18))
    birth_date: Mapped[date]
    sex: Mapped[str] = mapped_column(String(6))
    relation: Mapped[str] = mapped_column(String(12))
    disability_type: Mapped[str | None] = mapped_column(String(20))
    disability_grade: Mapped[int | None]
    severe_illness: Mapped[bool] = mapped_column(default=False)
    chronic_illness: Mapped[bool] = mapped_column(default=False)
    work_capacity: Mapped[str] = mapped_column(String(8), default="full")
    employment: Mapped[str] = mapped_column(String(20), default="")
    monthly_income: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    # Income by source, e.g. {"wage": "1200.00", "pension": "300.00"}; sums to monthly_income.
    income_sources: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # False once removed from the household or when the household has exited.
    active: Mapped[bool] = mapped_column(default=True)
    removed_at: Mapped[datetime | None]
    removed_reason: Mapped[str | None] = mapped_column(String(500))

    household: Mapped[Household] = relationship(back_populates="members", lazy="raise")


class HouseholdChange(IdMixin, Model):
    """One versioned change: who changed which field of a household or member, old and new."""

    __tablename__ = "household_changes"
    __table_args__ = (Index("ix_household_changes_household", "household_id", "id"),)

    household_id: Mapped[int] = mapped_column(BigId, ForeignKey("households.id"))
    member_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("household_members.id"))
    version: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(BigId)
    action: Mapped[str] = mapped_column(String(24))
    field: Mapped[str] = mapped_column(String(40))
    # Personal values (ID numbers) are recorded masked.
    old_value: Mapped[Any | None] = mapped_column(JSON)
    new_value: Mapped[Any | None] = mapped_column(JSON)


class CategoryChange(IdMixin, Model):
    """Dynamic management (动态管理): a household enters, changes or leaves a category.
    Never overwritten; the standard in force at the decision is kept with it."""

    __tablename__ = "category_changes"
    __table_args__ = (
        Index("ix_category_changes_household", "household_id", "id"),
        # Statistics on a day read only the decisions taking effect between it and today.
        Index("ix_category_changes_effective", "effective_date"),
        # The nightly job's question: decisions not yet applied whose date has come.
        Index("ix_category_changes_pending", "applied_at", "effective_date"),
    )

    household_id: Mapped[int] = mapped_column(BigId, ForeignKey("households.id"))
    action: Mapped[str] = mapped_column(String(8))  # enrol | change | exit
    category: Mapped[str | None] = mapped_column(String(24))
    previous_category: Mapped[str | None] = mapped_column(String(24))
    effective_date: Mapped[date]
    reason: Mapped[str] = mapped_column(String(500))
    approved_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    application_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("applications.id"))
    monthly_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    standard_value: Mapped[Decimal | None] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the household was brought in line with it: at once for a decision effective today
    # or earlier; NULL while one dated in the future waits for its date (the nightly job).
    applied_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]  # a scheduled decision withdrawn before its date


class Standard(IdMixin, Model):
    """An effective-dated assistance standard for a region and its subtree."""

    __tablename__ = "standards"
    __table_args__ = (UniqueConstraint("region_code", "kind", "effective_from"),)

    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("regions.code"))
    kind: Mapped[str] = mapped_column(String(16))  # dibao | tekun | edge_multiplier
    value: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    effective_from: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StandardRecalculation(IdMixin, Model):
    """A household's monthly amount recalculated under a new standard, confirmed by a person
    (the amount it had, the amount from the standard's ``effective_from``)."""

    __tablename__ = "standard_recalculations"
    __table_args__ = (UniqueConstraint("standard_id", "household_id"),)

    standard_id: Mapped[int] = mapped_column(BigId, ForeignKey("standards.id"), index=True)
    household_id: Mapped[int] = mapped_column(BigId, ForeignKey("households.id"), index=True)
    old_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    new_amount: Mapped[Decimal] = mapped_column(MONEY)
    confirmed_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerEntry(IdMixin, Model):
    """One benefit a household received (一户一条救助链): money, goods or a service."""

    __tablename__ = "ledger_entries"
    __table_args__ = (Index("ix_ledger_entries_household", "household_id", "date", "id"),)

    household_id: Mapped[int] = mapped_column(BigId, ForeignKey("households.id"))
    kind: Mapped[str] = mapped_column(String(16))
    date: Mapped[dt.date]
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    giver: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(String(500), default="")
    decision_ref: Mapped[str | None] = mapped_column(String(40))
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
