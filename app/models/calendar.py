"""The working-day calendar: the years it knows, their public holidays and make-up working
days (调休). A year absent from ``calendar_years`` is unknown: no clock guesses about it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import BigId, Model, utcnow


class CalendarYear(Model):
    """A year whose holiday schedule (国务院办公厅关于节假日安排的通知) is recorded."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # Where the year's schedule came from: ``chinesecalendar 1.11.0`` or ``admin``.
    source: Mapped[str] = mapped_column(String(40))
    # Raised on every change of any year: a process holding the calendar in memory reloads it
    # when the greatest revision differs from the one it holds.
    revision: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # No foreign key: the staff table is emptied in tests and the audit log names the editor.
    updated_by_id: Mapped[int | None] = mapped_column(BigId)


class CalendarDay(Model):
    """A day that breaks the Monday-to-Friday rule: a public holiday (also when it falls on a
    weekend) or a weekend day that is a make-up working day."""

    __tablename__ = "calendar_days"
    __table_args__ = (CheckConstraint("kind IN ('holiday', 'workday')", name="kind_known"),)

    day: Mapped[date] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(
        ForeignKey("calendar_years.year", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(40), default="")
