from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import BigId, IdMixin, Model, utcnow


class VisitPolicy(IdMixin, Model):
    """How often households of one category and risk level are visited (走访周期), in days,
    for a region subtree (or everywhere), from a date on. Rows are history: an entry once in
    force is never changed; a newer entry supersedes it."""

    __tablename__ = "visit_policies"
    __table_args__ = (
        UniqueConstraint("category", "risk_level", "region_low", "effective_from"),
        Index("ix_visit_policies_lookup", "category", "risk_level", "depth", "effective_from"),
    )

    category: Mapped[str] = mapped_column(String(24))  # a category, or "none" (not yet decided)
    risk_level: Mapped[str] = mapped_column(String(8))
    region_code: Mapped[str | None] = mapped_column(String(12), ForeignKey("regions.code"))
    # The subtree as a code range and how specific it is (0 everywhere, 12 one community): the
    # schedule query picks the most specific entry covering a household without a region join.
    region_low: Mapped[str] = mapped_column(String(12))
    region_high: Mapped[str] = mapped_column(String(12))
    depth: Mapped[int]
    cycle_days: Mapped[int]
    effective_from: Mapped[date]
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VisitSchedule(Model):
    """What the visits domain keeps per household: its assignee, its last visit, a visit
    pulled forward by a confirmed warning, and the next due date they and the policy give,
    materialised so worklists read it from an index (``app/schedules/recompute.py`` keeps it in
    step: every change to a household's category, risk level or region, to the policy, a visit
    or a pull-forward recomputes it)."""

    __tablename__ = "visit_schedules"
    # A worker's worklist reads their ~150 rows by assignee and sorts them; an area's goes
    # through the households' region index. ``next_due_on`` is deliberately not indexed: a
    # policy change rewrites it for every household, and with no index on it (and the table's
    # fillfactor at 50 on PostgreSQL, set by the migration) those are HOT updates, several
    # times faster than maintaining index entries for 300,000 new row versions.
    __table_args__ = (Index("ix_visit_schedules_assignee", "assignee_id", "household_id"),)

    household_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("households.id"), primary_key=True, autoincrement=False
    )
    assignee_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    assigned_at: Mapped[datetime | None]
    last_visit_id: Mapped[int | None] = mapped_column(BigId)
    last_visit_at: Mapped[datetime | None]
    last_visit_on: Mapped[date | None]
    pulled_forward_on: Mapped[date | None]
    pulled_at: Mapped[datetime | None]
    pull_reason: Mapped[str | None] = mapped_column(String(200))
    # A statutory re-check (复核) due on this day (app/procedures): a visit does not clear it,
    # recording the re-check sets the next one.
    recheck_on: Mapped[date | None]
    recheck_reason: Mapped[str | None] = mapped_column(String(200))
    next_due_on: Mapped[date | None]


class Visit(IdMixin, Model):
    """One home visit (入户走访): appended, never edited. Notes and needs are encrypted."""

    __tablename__ = "visits"
    __table_args__ = (
        # The same visit sent again (an offline device retrying) is stored once.
        UniqueConstraint("household_id", "staff_id", "visited_at"),
        Index("ix_visits_household", "household_id", "visited_at"),
        Index("ix_visits_visited_on", "visited_on", "region_code"),
        Index("ix_visits_staff", "staff_id", "visited_on"),
    )

    household_id: Mapped[int] = mapped_column(BigId, ForeignKey("households.id"))
    staff_id: Mapped[int] = mapped_column(BigId, ForeignKey("staff.id"))
    # Where the household lived at the visit, for figures per community and street.
    region_code: Mapped[str] = mapped_column(String(12))
    visited_at: Mapped[datetime]
    visited_on: Mapped[date]  # local date of visited_at
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    met: Mapped[list[str]] = mapped_column(JSON, default=list)
    checklist: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    need_type: Mapped[str | None] = mapped_column(String(16))
    needs_enc: Mapped[str | None] = mapped_column(Text)
    notes_enc: Mapped[str] = mapped_column(Text)
    risk_level_before: Mapped[str] = mapped_column(String(8))
    risk_level_after: Mapped[str] = mapped_column(String(8))
    # False when a newer visit or risk decision already stood: an offline record sent late
    # never overwrites newer data.
    risk_applied: Mapped[bool] = mapped_column(default=False)
    due_on: Mapped[date]  # the household's due date when this visit was made
    on_time: Mapped[bool]
    application_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("applications.id"))
    # The warning the visit raised for the district to see (follow-up), if any.
    warning_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("warnings.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VisitPhoto(IdMixin, Model):
    """A photo taken on a visit, stored on disk under a random name like an application's
    attachments (JPEG or PNG, at most 10 MB, 9 a visit)."""

    __tablename__ = "visit_photos"
    __table_args__ = (Index("ix_visit_photos_visit", "visit_id", "id"),)

    visit_id: Mapped[int] = mapped_column(BigId, ForeignKey("visits.id"))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VisitNeed(IdMixin, Model):
    """A need for services a visit found (服务需求), waiting for a service plan or referral.
    The description is personal (health, family) and encrypted."""

    __tablename__ = "visit_needs"
    __table_args__ = (
        Index("ix_visit_needs_household", "household_id", "id"),
        Index("ix_visit_needs_open", "status", "region_code", "id"),
    )

    visit_id: Mapped[int] = mapped_column(BigId, ForeignKey("visits.id"))
    household_id: Mapped[int] = mapped_column(BigId, ForeignKey("households.id"))
    region_code: Mapped[str] = mapped_column(String(12))
    need_type: Mapped[str] = mapped_column(String(16))
    detail_enc: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open | planned | closed
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
