from __future__ import annotations

from typing import Literal

from app.kit.schemas import LocalDateTime, Page, Schema

JobStatus = Literal["queued", "running", "done", "parked"]


class JobOut(Schema):
    """A job as admins see it: no payload (it is the business of the domain that wrote it)."""

    id: int
    kind: str
    status: JobStatus
    run_at: LocalDateTime
    attempts: int
    max_attempts: int
    last_error: str | None
    key: str | None
    locked_by: str | None
    locked_until: LocalDateTime | None
    created_at: LocalDateTime
    updated_at: LocalDateTime
    finished_at: LocalDateTime | None


JobPage = Page[JobOut]
