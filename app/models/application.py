from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import BigId, IdMixin, Model, TimestampMixin, utcnow

OPEN_STATUSES = ("submitted", "accepted", "investigating", "reviewing")


class Application(IdMixin, TimestampMixin, Model):
    """A request for help (一键求助), for oneself or reported on someone else's behalf."""

    __tablename__ = "applications"
    __table_args__ = (
        # The staff queue pages newest first by id (keyset), under these filters.
        Index("ix_applications_status_queue", "status", "id"),
        Index("ix_applications_region_queue", "region_code", "id"),
        Index("ix_applications_assignee_queue", "assignee_id", "id"),
        Index("ix_applications_due", "status", "due_at"),
        Index("ix_applications_subject_id_hash", "subject_id_hash"),
        Index(
            "ix_applications_subject_name",
            "subject_name",
            postgresql_ops={"subject_name": "varchar_pattern_ops"},
        ),
    )

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(24))
    relation: Mapped[str] = mapped_column(String(16))
    resident_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("residents.id"), index=True)
    agency_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("agencies.id"), index=True)
    entered_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))

    subject_name: Mapped[str] = mapped_column(String(50))
    subject_id_enc: Mapped[str | None] = mapped_column(Text)
    subject_id_hash: Mapped[str | None] = mapped_column(String(64))
    subject_id_masked: Mapped[str | None] = mapped_column(String(18))
    subject_phone_enc: Mapped[str | None] = mapped_column(Text)
    subject_phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    subject_phone_masked: Mapped[str | None] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(12), ForeignKey("regions.code"))
    address: Mapped[str] = mapped_column(String(200), default="")
    household_size: Mapped[int | None]
    # Who reported someone else's hardship, so a worker can call back (phone as the subject's).
    reporter_name: Mapped[str | None] = mapped_column(String(50))
    reporter_phone_enc: Mapped[str | None] = mapped_column(Text)
    reporter_phone_hash: Mapped[str | None] = mapped_column(String(64))
    reporter_phone_masked: Mapped[str | None] = mapped_column(String(20))

    help_types: Mapped[list[str]] = mapped_column(JSON)
    # One bit per help type, so the queue can filter on it on every backend.
    help_mask: Mapped[int] = mapped_column(default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    consent_at: Mapped[datetime] = mapped_column(default=utcnow)

    priority: Mapped[str] = mapped_column(String(10), default="normal")
    due_at: Mapped[datetime]
    assignee_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    linked_to_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("applications.id"), index=True
    )

    decision_category: Mapped[str | None] = mapped_column(String(24))
    decision_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    decided_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    decided_at: Mapped[datetime | None]

    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", lazy="raise", order_by="ApplicationEvent.id"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="application", lazy="raise", order_by="Attachment.id"
    )


class ApplicationEvent(IdMixin, Model):
    """One step of an application's life: who, when, from which status to which, and notes."""

    __tablename__ = "application_events"

    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(BigId)
    # Internal note: staff only. Public note: shown to the applicant.
    note: Mapped[str] = mapped_column(Text, default="")
    public_note: Mapped[str] = mapped_column(Text, default="")

    application: Mapped[Application] = relationship(back_populates="events", lazy="raise")


class Attachment(IdMixin, Model):
    """A photo or scan of a document, stored on disk under a random name."""

    __tablename__ = "attachments"

    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"), index=True)
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_kind: Mapped[str] = mapped_column(String(16))
    uploaded_by_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="attachments", lazy="raise")


class Counter(Model):
    """Named counters for human-readable references on backends without sequences."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigId, default=0)
