from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import IdMixin, Model, utcnow


class IdempotencyRecord(IdMixin, Model):
    """The first response to a create with an ``Idempotency-Key``, replayed for 24 hours."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("caller", "key"),)

    caller: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None]
    # The response body's JSON, sealed under the data key: it repeats what was submitted.
    response_enc: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
