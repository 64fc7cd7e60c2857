from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import BigId, IdMixin, Model, TimestampMixin, utcnow
from app.kit.crypto import get_cipher

OPEN_STATUSES = ("submitted", "accepted", "investigating", "reviewing")
# Statuses no step leads out of: the retention period runs from the last change.
FINISHED_STATUSES = ("rejected", "withdrawn", "closed", "denied", "referred")


def seal_text(value: str | None) -> str | None:
    """Free text under the data key; empty text is stored as NULL."""
    return get_cipher().encrypt(value) if value else None


def open_text(token: str | None) -> str:
    return get_cipher().decrypt(token) if token else ""


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
    reporter_name_enc: Mapped[str | None] = mapped_column(Text)
    reporter_phone_enc: Mapped[str | None] = mapped_column(Text)
    reporter_phone_hash: Mapped[str | None] = mapped_column(String(64))
    reporter_phone_masked: Mapped[str | None] = mapped_column(String(20))

    help_types: Mapped[list[str]] = mapped_column(JSON)
    # One bit per help type, so the queue can filter on it on every backend.
    help_mask: Mapped[int] = mapped_column(default=0)
    # Free text from the public, sealed under the data key (nothing searches it).
    description_enc: Mapped[str | None] = mapped_column(Text)
    consent_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The privacy notice (隐私告知) the person agreed to.
    consent_version: Mapped[str | None] = mapped_column(String(20))
    # Set while the resident who submitted it has withdrawn consent to new processing.
    consent_withdrawn_at: Mapped[datetime | None]
    # Free text and identifiers cleared once the retention period ran out.
    anonymised_at: Mapped[datetime | None]

    priority: Mapped[str] = mapped_column(String(10), default="normal")
    # None while the deadline crosses into a year with no holiday schedule (never guessed).
    due_at: Mapped[datetime | None]
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

    @property
    def description(self) -> str:
        """The description in clear (stored sealed in ``description_enc``)."""
        return open_text(self.description_enc)

    @description.setter
    def description(self, value: str) -> None:
        self.description_enc = seal_text(value)

    @property
    def reporter_name(self) -> str | None:
        """The reporter's name in clear (stored sealed in ``reporter_name_enc``)."""
        return open_text(self.reporter_name_enc) or None

    @reporter_name.setter
    def reporter_name(self, value: str | None) -> None:
        self.reporter_name_enc = seal_text(value)


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
    # Internal note: staff only. Public note: shown to the applicant. Both sealed at rest.
    note_enc: Mapped[str | None] = mapped_column(Text)
    public_note_enc: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="events", lazy="raise")

    @property
    def note(self) -> str:
        """The internal note in clear."""
        return open_text(self.note_enc)

    @note.setter
    def note(self, value: str) -> None:
        self.note_enc = seal_text(value)

    @property
    def public_note(self) -> str:
        """The public note in clear."""
        return open_text(self.public_note_enc)

    @public_note.setter
    def public_note(self, value: str) -> None:
        self.public_note_enc = seal_text(value)


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


class ConsentWithdrawal(IdMixin, Model):
    """A resident withdrew consent to new processing of their personal information; it lasts
    until they give consent again (``regranted_at``)."""

    __tablename__ = "consent_withdrawals"

    resident_id: Mapped[int] = mapped_column(BigId, ForeignKey("residents.id"), index=True)
    withdrawn_at: Mapped[datetime] = mapped_column(default=utcnow)
    regranted_at: Mapped[datetime | None]
    regranted_version: Mapped[str | None] = mapped_column(String(20))


class Counter(Model):
    """Named counters for human-readable references on backends without sequences."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(BigId, default=0)
