"""Shapes of the visit figures."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from app.kit.schemas import Schema


class Figures(Schema):
    due: int
    done_on_time: int
    done_late: int
    overdue: int
    on_time_share: float | None = Field(description="按期完成 / 应走访")
    households: int | None
    households_within_cycle: int | None
    households_within_cycle_share: float | None = Field(description="周期内已走访的户数占比")


class GroupFigures(Figures):
    key: str | None = Field(
        description="工作人员 id、社区或街道代码、或月份 YYYY-MM；null：未分派的家庭"
    )


class StatsOut(Schema):
    model_config = {"populate_by_name": True, "from_attributes": True}

    group_by: str
    from_: dt.date = Field(alias="from")
    to: dt.date
    today: dt.date
    totals: Figures
    items: list[GroupFigures]
