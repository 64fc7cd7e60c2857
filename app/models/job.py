from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import IdMixin, Model, TimestampMixin

JOB_STATUSES = ("queued", "running", "done", "parked")


class Job(IdMixin, TimestampMixin, Model):
    """Work that happens later (后台任务): written in the transaction of its cause, claimed and
    run by the job runner (``app/jobs``), retried with backoff, then parked with its reason."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("key"),
        CheckConstraint("status IN ('queued', 'running', 'done', 'parked')", name="status_known"),
        # The claim reads queued jobs by run_at and running jobs by lease.
        Index("ix_jobs_status_run_at", "status", "run_at"),
    )

    kind: Mapped[str] = mapped_column(String(64))
    # Ids and flags only, never personal data: payloads are kept for days.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    run_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    last_error: Mapped[str | None] = mapped_column(Text)
    # A second enqueue with the same key is a no-op while this row exists.
    key: Mapped[str | None] = mapped_column(String(255))
    locked_by: Mapped[str | None] = mapped_column(String(64))
    locked_until: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
