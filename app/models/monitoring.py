"""Imports of other agencies' data (外部部门数据比对) and the signals each row becomes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import BigId, IdMixin, Model, utcnow

SIGNAL_SOURCES = (
    "medical",
    "death",
    "disability",
    "unemployment",
    "utility_arrears",
    "school_aid",
    "housing_safety",
    "vehicle",
    "business",
    "income",
)
IMPORT_STATUSES = ("queued", "running", "done", "failed")


class MonitoringImport(IdMixin, Model):
    """One uploaded file of one source type. The same bytes of the same source are one import."""

    __tablename__ = "monitoring_imports"
    __table_args__ = (
        Index("uq_monitoring_imports_source_sha", "source", "file_sha256", unique=True),
    )

    source: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    # utf-8 | gbk (detected), or utf-8 for XLSX, which carries its own encoding.
    encoding: Mapped[str | None] = mapped_column(String(8))
    file_format: Mapped[str] = mapped_column(String(4), default="csv")  # csv | xlsx
    file_sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200), default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    # Random name under the upload directory while queued or running; cleared once processed.
    stored_path: Mapped[str | None] = mapped_column(String(300))
    rows_read: Mapped[int] = mapped_column(default=0)
    matched: Mapped[int] = mapped_column(default=0)
    unmatched: Mapped[int] = mapped_column(default=0)
    rejected: Mapped[int] = mapped_column(default=0)
    # Rows already in signals from an earlier file (same source and same content).
    duplicates: Mapped[int] = mapped_column(default=0)
    warnings_opened: Mapped[int] = mapped_column(default=0)
    # [{"row", "column", "reason"}], the first ERRORS_KEPT; errors_total counts them all.
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    errors_total: Mapped[int] = mapped_column(default=0)
    # A file-level failure (wrong header, unreadable file): code and message.
    failure_code: Mapped[str | None] = mapped_column(String(40))
    failure_message: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class Signal(Model):
    """One row of an agency's file: an event about a person, matched by the keyed hash of the
    ID number to a member of an active household when there is one. Unmatched signals are kept:
    they are how people not yet monitored are found."""

    __tablename__ = "signals"
    __table_args__ = (
        # The rules' lookups (by person, source and date) and the same event arriving in two
        # files landing once (the digest covers source, person and date: unique on the four
        # is unique on the digest), in one index: each landed row maintains one, not two.
        Index(
            "uq_signals_person_event",
            "person_hash",
            "source",
            "occurred_on",
            "row_digest",
            unique=True,
        ),
        Index("ix_signals_import", "import_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(24))
    # No foreign keys on this table: a million-row import lands in one INSERT, and a
    # per-row foreign-key check would cost more than the insert itself. Imports, households
    # and members are never deleted (households exit, members are marked inactive).
    import_id: Mapped[int | None] = mapped_column(BigId)
    row_number: Mapped[int | None]
    # sha256 of source and the row's normalised content (never a reversible ID number).
    row_digest: Mapped[str] = mapped_column(String(64))
    person_hash: Mapped[str] = mapped_column(String(64))
    # Encrypted only when unmatched: a matched person's ID is already on the member.
    person_id_enc: Mapped[str | None] = mapped_column(Text)
    person_id_masked: Mapped[str] = mapped_column(String(18))
    person_name: Mapped[str] = mapped_column(String(50), default="")
    # The active household and member with this person's hash when the row was imported.
    household_id: Mapped[int | None] = mapped_column(BigId)
    member_id: Mapped[int | None] = mapped_column(BigId)
    region_code: Mapped[str | None] = mapped_column(String(12))
    address: Mapped[str | None] = mapped_column(String(200))
    occurred_on: Mapped[date]
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    quantity: Mapped[int | None]
    flag: Mapped[str | None] = mapped_column(String(24))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
