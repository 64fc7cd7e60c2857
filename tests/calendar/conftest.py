"""The calendar's own tests need the years after the package's data to be missing: the years the
suite records for late-December runs (tests/conftest.py) are removed for each of them and put
back after."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, select

from app.calendar import service
from app.db.session import session_scope
from app.models.calendar import CalendarDay, CalendarYear
from tests.calendar.support import restore_calendar
from tests.conftest import TEST_YEAR_SOURCE, seed_test_years


@pytest.fixture(autouse=True)
async def package_years_only() -> AsyncIterator[None]:
    async with session_scope() as session:
        years = list(
            await session.scalars(
                select(CalendarYear.year).where(CalendarYear.source == TEST_YEAR_SOURCE)
            )
        )
        if years:
            await session.execute(delete(CalendarDay).where(CalendarDay.year.in_(years)))
            await session.execute(delete(CalendarYear).where(CalendarYear.year.in_(years)))
    service.forget()
    yield
    if years:
        await restore_calendar()  # whatever order the tests' own restoring runs in
        async with session_scope() as session:
            await seed_test_years(session)
