"""The working-day calendar in memory, its edits by admins, and its seeding from the
``chinesecalendar`` package.

Each process holds the calendar once (a few hundred days) and reloads it when the table's
revision differs from the one it holds: a request asks the revision (the submit hot path inside
a statement it sends anyway) and the clock then runs in Python, with no further SQL. An edit
raises the revision, so every process sees it on its next request."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.calendar import repository
from app.calendar.clock import CalendarOutOfRange, WorkingCalendar
from app.calendar.seed import SeedDay, package_days, package_source
from app.errors import Invalid, NotFound
from app.jobs import enqueue
from app.kit import audit
from app.kit.actor import Actor
from app.kit.timeutil import now
from app.models.calendar import CalendarDay, CalendarYear

# The job that computes the deadlines left unknown for want of a year's schedule, queued by
# an edit (its handler is intake's, mapped in app/tasks.py).
DEADLINES_JOB = "intake:unknown-deadlines"

_held: WorkingCalendar | None = None


class OutOfRange(Invalid):
    code = "calendar_out_of_range"
    message = "期限跨入尚未录入节假日安排的年份，无法计算"


def out_of_range(error: CalendarOutOfRange) -> OutOfRange:
    """The API's answer to a clock that ran past the calendar's data."""
    return OutOfRange(
        f"{error.year} 年的节假日安排尚未录入，无法计算期限；请管理员录入后再试",
        extra={"year": error.year},
    )


async def current(session: AsyncSession, revision: int | None = None) -> WorkingCalendar:
    """The calendar as the table holds it now; ``revision`` when the caller already asked."""
    global _held
    if revision is None:
        revision = await repository.revision(session)
    if _held is None or _held.revision != revision:
        _held = await _load(session, revision)
    return _held


def forget() -> None:
    """Drop the calendar held in memory (after an edit, and in tests)."""
    global _held
    _held = None


async def _load(session: AsyncSession, revision: int) -> WorkingCalendar:
    years = await repository.all_years(session)
    holidays: set[date] = set()
    workdays: set[date] = set()
    for day, kind in await repository.all_days(session):
        assert isinstance(day, date)
        (holidays if kind == "holiday" else workdays).add(day)
    return WorkingCalendar(
        years=frozenset(years),
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        revision=revision,
    )


async def get_year(session: AsyncSession, year: int) -> tuple[CalendarYear, list[CalendarDay]]:
    """A recorded year and its days; 404 ``calendar_year_not_found`` for one not recorded."""
    row = await repository.get_year(session, year)
    if row is None:
        raise YearNotFound(f"{year} 年的节假日安排尚未录入")
    return row, list(await repository.year_days(session, year))


async def put_year(
    session: AsyncSession, actor: Actor, year: int, days: list[SeedDay]
) -> tuple[CalendarYear, list[CalendarDay]]:
    """Record ``year``'s schedule as the State Council published it (replacing what was there);
    audited. Every process reloads the calendar on its next request; deadlines left unknown
    for want of it are computed by a job."""
    before = await repository.get_year(session, year)
    row = await repository.replace_year(
        session, year, days, source="admin", at=now(), staff_id=actor.id
    )
    await audit.record(
        session,
        actor,
        "calendar.update",
        "calendar_year",
        year,
        {
            "created": before is None,
            "holidays": sum(1 for d in days if d.kind == "holiday"),
            "make_up_days": sum(1 for d in days if d.kind == "workday"),
        },
    )
    await enqueue(session, DEADLINES_JOB, {"year": year})
    forget()
    return row, list(await repository.year_days(session, year))


async def seed_from_package(session: AsyncSession) -> list[int]:
    """Add the years the installed package knows and the table does not; a year already
    recorded (seeded earlier or entered by an admin) is left as it is."""
    known = set(await repository.all_years(session))
    added: list[int] = []
    source = package_source()
    at = now()
    for year, days in package_days().items():
        if year in known:
            continue
        await repository.replace_year(session, year, days, source=source, at=at, staff_id=None)
        added.append(year)
    if added:
        forget()
    return added


class YearNotFound(NotFound):
    code = "calendar_year_not_found"
    message = "该年份的节假日安排尚未录入"
