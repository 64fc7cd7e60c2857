"""``/calendar/due`` (the statutory clock, for any staff) and ``/admin/calendar/{year}`` (the
holiday schedule, for admins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.accounts.dependencies import CurrentStaff, RequireCalendarManage
from app.calendar import service
from app.calendar.clock import MAX_DAYS, Basis, CalendarOutOfRange
from app.calendar.schemas import CalendarDayOut, CalendarYearIn, CalendarYearOut, DueOut
from app.calendar.seed import SeedDay
from app.db.deps import Session
from app.errors import Invalid
from app.models.calendar import CalendarDay, CalendarYear

router = APIRouter(tags=["calendar"])

Days = Annotated[int | None, Query(ge=1, le=MAX_DAYS)]
Year = Annotated[int, Path(ge=2000, le=2100, description="公历年份")]


class PeriodRequired(Invalid):
    code = "period_required"
    message = "请给出 working_days 或 calendar_days 之一（只能一个）"


class DayOutsideYear(Invalid):
    code = "calendar_day_outside_year"
    message = "日期不在该年份内"


@router.get(
    "/calendar/due",
    response_model=DueOut,
    responses={422: {"description": "calendar_out_of_range, period_required"}},
)
async def due(
    session: Session,
    actor: CurrentStaff,
    start: dt.date,
    working_days: Days = None,
    calendar_days: Days = None,
) -> DueOut:
    """The due date of a period from ``start`` (not counted), in working or calendar days."""
    if (working_days is None) == (calendar_days is None):
        raise PeriodRequired()
    basis = Basis.working_days if working_days is not None else Basis.calendar_days
    days = working_days if working_days is not None else calendar_days
    assert days is not None
    calendar = await service.current(session)
    try:
        return DueOut(start=start, due=calendar.due(start, days, basis), basis=basis)
    except CalendarOutOfRange as exc:
        raise service.out_of_range(exc) from exc


@router.get("/admin/calendar/{year}", response_model=CalendarYearOut, tags=["admin"])
async def get_year(year: Year, session: Session, actor: RequireCalendarManage) -> CalendarYearOut:
    """A year's holidays and make-up working days, and where they came from."""
    row, days = await service.get_year(session, year)
    return _year_out(row, days)


@router.put("/admin/calendar/{year}", response_model=CalendarYearOut, tags=["admin"])
async def put_year(
    year: Year, body: CalendarYearIn, session: Session, actor: RequireCalendarManage
) -> CalendarYearOut:
    """Record a year's schedule as the State Council published it, replacing what it had;
    audited. Deadlines left unknown for want of it are computed by a job."""
    for d in (*body.holidays, *body.make_up_days):
        if d.date.year != year:
            raise DayOutsideYear(f"{d.date} 不在 {year} 年内")
    days = [SeedDay(d.date, "holiday", d.name) for d in body.holidays] + [
        SeedDay(d.date, "workday", d.name) for d in body.make_up_days
    ]
    row, saved = await service.put_year(session, actor, year, sorted(days, key=lambda d: d.day))
    return _year_out(row, saved)


def _year_out(row: CalendarYear, days: list[CalendarDay]) -> CalendarYearOut:
    return CalendarYearOut(
        year=row.year,
        source=row.source,
        updated_at=row.updated_at,
        holidays=[CalendarDayOut(date=d.day, name=d.name) for d in days if d.kind == "holiday"],
        make_up_days=[CalendarDayOut(date=d.day, name=d.name) for d in days if d.kind == "workday"],
    )
