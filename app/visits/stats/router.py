"""``GET /staff/visits/stats``: visit figures in the caller's jurisdiction."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from app.accounts.dependencies import RequireVisitsRead
from app.db.deps import Session
from app.errors import Invalid
from app.kit.inputs import EARLIEST
from app.kit.timeutil import local_today
from app.visits.stats import service
from app.visits.stats.repository import GroupBy
from app.visits.stats.schemas import StatsOut

router = APIRouter(tags=["visits"])  # included by app/visits/router.py under /staff

MAX_DAYS = 3 * 366


@router.get("/visits/stats", response_model=StatsOut)
async def visit_stats(
    session: Session,
    actor: RequireVisitsRead,
    group_by: GroupBy = GroupBy.month,
    start: Annotated[dt.date | None, Query(alias="from", description="默认一年前")] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="默认今天")] = None,
) -> JSONResponse:
    """Visits due, done on time and late, overdue, and the share of households visited within
    their cycle, per worker, community, street or month (by the date each visit was due)."""
    today = local_today()
    end = end or today
    if not EARLIEST <= end <= today + dt.timedelta(days=MAX_DAYS):
        raise Invalid("统计区间超出可用范围", code="invalid_period")
    start = start or end - dt.timedelta(days=365)
    if start > end or (end - start).days > MAX_DAYS:
        raise Invalid("统计区间须 from ≤ to 且不超过三年", code="invalid_period")
    result = await service.figures(session, actor, group_by, start, end)
    out = StatsOut.model_validate(result)
    return JSONResponse(out.model_dump(mode="json", by_alias=True))
