"""Statutory procedures (法定程序) on applications: one procedure per application, the steps it
has reached with their clocks, and the documents it produced (public notice, written decision,
refusal and stop notices) stored with the case."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import BigId, IdMixin, Model, utcnow
from app.kit.crypto import get_cipher

# Steps that are a period running out (公示期满), not a time limit to meet: never overdue.
PERIOD_STEPS = ("notice_end", "termination")


class Procedure(IdMixin, Model):
    """The procedure an application follows, by category (dibao, tekun, rigid-spending
    hardship, temporary aid), with its overall limit and outcome."""

    __tablename__ = "procedures"
    __table_args__ = (Index("ix_procedures_decided", "decided_on"),)

    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"), unique=True)
    category: Mapped[str] = mapped_column(String(24))
    # The application's region, copied so supervision groups steps by street in one statement.
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    started_on: Mapped[date]
    # Overall limit in working days (dibao 30, 45 with a recorded special reason); NULL: none.
    limit_days: Mapped[int | None]
    limit_on: Mapped[date | None]
    special_reason: Mapped[str | None] = mapped_column(String(200))
    # approved | refused, then terminated | stopped when it ends later.
    outcome: Mapped[str | None] = mapped_column(String(16))
    decided_on: Mapped[date | None]
    # Tekun: 分散供养 (dispersed) or 集中供养 (centralized), recorded with the decision.
    care_arrangement: Mapped[str | None] = mapped_column(String(16))
    monthly_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # Rigid-spending hardship: the decision holds at most 12 months.
    valid_until: Mapped[date | None]
    # The re-check placed in the visit worklists, and a stop's effective date.
    recheck_on: Mapped[date | None]
    stopped_on: Mapped[date | None]
    # Temporary aid paid first (先行救助) on a worker's word.
    advance_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    spot_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    objections: Mapped[int] = mapped_column(default=0)
    # Waiting on the applicant (补正材料): the clocks stand still from this day.
    paused_since: Mapped[date | None]
    # Earlier pauses: [["2026-10-09", "2026-10-12"], ...] (both ends included).
    pauses: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(BigId)


class ProcedureStep(IdMixin, Model):
    """A step the procedure has reached: pending with its due date (NULL with
    ``deadline_unknown`` when the clock runs past the calendar's data), then done."""

    __tablename__ = "procedure_steps"
    __table_args__ = (
        UniqueConstraint("procedure_id", "step"),
        Index("ix_procedure_steps_open", "status", "due_on"),
    )

    procedure_id: Mapped[int] = mapped_column(BigId, ForeignKey("procedures.id"), index=True)
    step: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | done
    # The day the clock starts from (not counted), and the day the step is due.
    started_on: Mapped[date]
    due_on: Mapped[date | None]
    deadline_unknown: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[date | None]
    actor_id: Mapped[int | None] = mapped_column(BigId)
    # Every staff member who acted (a home survey needs two).
    actor_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    # What was found (survey, check, review, spot-check), sealed under the data key.
    findings_enc: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]


class ProcedureObjection(IdMixin, Model):
    """An objection to the public notice (公示异议), recorded while the notice runs."""

    __tablename__ = "procedure_objections"

    procedure_id: Mapped[int] = mapped_column(BigId, ForeignKey("procedures.id"), index=True)
    raised_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(BigId)
    # Who objected and why may name people: sealed under the data key.
    text_enc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcedureDocument(IdMixin, Model):
    """A PDF the procedure produced, kept with the case, sealed under the data key: it names
    the applicant and carries the reference, amounts and reasons."""

    __tablename__ = "procedure_documents"

    procedure_id: Mapped[int] = mapped_column(BigId, ForeignKey("procedures.id"), index=True)
    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("applications.id"), index=True)
    # notice | decision | refusal | termination_notice | stop_notice | reduction_notice
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(60))
    # The applicant gets a copy of the decision and of a refusal, stop or reduction notice.
    applicant_copy: Mapped[bool] = mapped_column(Boolean, default=False)
    # The PDF as a data-key token (:meth:`FieldCipher.encrypt_bytes`), rotated with the rest.
    content_enc: Mapped[str] = mapped_column(Text)
    # Of the PDF itself, not of the token: what a download can be checked against.
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(BigId)

    @property
    def content(self) -> bytes:
        """The PDF, opened only when a download is served."""
        return get_cipher().decrypt_bytes(self.content_enc)

    @staticmethod
    def seal(pdf: bytes) -> dict[str, str]:
        """The stored columns for a rendered PDF: its token and the hash of its bytes."""
        return {
            "content_enc": get_cipher().encrypt_bytes(pdf),
            "sha256": hashlib.sha256(pdf).hexdigest(),
        }
