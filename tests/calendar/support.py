"""The working-day calendar in tests: the migration seeded it (the table survives the per-test
clean-up), and a test that edits it puts it back."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy import delete

from app.calendar.clock import WorkingCalendar
from app.calendar.seed import package_days
from app.models.calendar import CalendarYear


def package_calendar(*years: int) -> WorkingCalendar:
    """The clock's calendar for ``years`` as the package has them (no database)."""
    seeded = package_days()
    days = [d for y in years for d in seeded[y]]
    return WorkingCalendar(
        years=frozenset(years),
        holidays=frozenset(d.day for d in days if d.kind == "holiday"),
        workdays=frozenset(d.day for d in days if d.kind == "workday"),
    )


async def restore_calendar() -> None:
    """Drop every year an admin entered and seed again what the package knows."""
    from app.calendar import service
    from app.db.session import session_scope

    async with session_scope() as session:
        await session.execute(delete(CalendarYear).where(CalendarYear.source == "admin"))
        await service.seed_from_package(session)
    service.forget()


async def restored_calendar() -> AsyncIterator[None]:
    yield
    await restore_calendar()


# A year's schedule as an admin would type it from the State Council's notice (an invented
# 2027: the test needs a next year the package does not have).
SCHEDULE_2027 = {
    "holidays": [
        {"date": "2027-01-01", "name": "元旦"},
        {"date": "2027-01-02", "name": "元旦"},
        {"date": "2027-01-03", "name": "元旦"},
        *({"date": f"2027-02-{d:02d}", "name": "春节"} for d in range(5, 13)),
    ],
    "make_up_days": [{"date": "2027-02-14", "name": "春节调休"}],
}
