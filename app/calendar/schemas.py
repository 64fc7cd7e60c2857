"""The calendar's requests and answers."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from app.calendar.clock import Basis
from app.kit.schemas import InputSchema, LocalDateTime, Schema


class DueOut(Schema):
    start: dt.date
    due: dt.date
    basis: Basis


class CalendarDayIn(InputSchema):
    date: dt.date
    name: str = Field(default="", max_length=30, description="如 国庆节")


class CalendarYearIn(InputSchema):
    """A year's schedule as the State Council published it (国务院办公厅关于节假日安排的通知):
    every day off (weekends inside a holiday included) and every make-up working day."""

    holidays: list[CalendarDayIn] = Field(min_length=1, max_length=60)
    make_up_days: list[CalendarDayIn] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _distinct(self) -> CalendarYearIn:
        days = [d.date for d in self.holidays] + [d.date for d in self.make_up_days]
        if len(set(days)) != len(days):
            raise ValueError("同一日期只能出现一次（不能既放假又调休上班）")
        for d in self.make_up_days:
            if d.date.weekday() < 5:
                raise ValueError(f"{d.date} 是工作日，不需要调休上班")
        return self


class CalendarDayOut(Schema):
    date: dt.date
    name: str


class CalendarYearOut(Schema):
    year: int
    source: str
    updated_at: LocalDateTime
    holidays: list[CalendarDayOut]
    make_up_days: list[CalendarDayOut]
